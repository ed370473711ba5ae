"""One statement for many rows, for the worker's batches: :func:`update_each` (each row its own values) and
:func:`insert_rows` (new rows).

Django's ``bulk_update`` builds a ``Case(When(...))`` expression per field and per row and resolves them all, and
``bulk_create`` runs every value through the insert compiler's expression checks: for a batch of publications
both cost far more than the statement itself. These write the same statements as plain SQL, each value prepared by
its field as the ORM would (``pre_save``, ``get_db_prep_save``):

* on PostgreSQL, one array parameter per column, unpacked with ``unnest`` (``UPDATE … FROM unnest(…)``,
  ``INSERT … SELECT * FROM unnest(…)``): the statement's text is the same whatever the batch's size, so the driver
  does not re-parse a long query each time;
* on SQLite, ``CASE id WHEN … THEN …`` and ``VALUES (…), (…)``.

Both return the keys of inserted rows in the order given (``RETURNING``), as ``bulk_create`` relies on too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def _column(field: Field[Any, Any]) -> str:
    assert field.column is not None
    return connection.ops.quote_name(field.column)


def _prep(field: Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection=connection)


_SIZED = re.compile(r"^(varchar|character varying)\(\d+\)$")


def _array(field: Field[Any, Any]) -> str:
    """A placeholder for a PostgreSQL array of the field's column type. Lengths are left out (``varchar(120)`` →
    ``varchar``): an explicit cast to ``varchar(n)`` silently truncates, while assigning the value to the column
    refuses one too long, as the ORM's own writes do."""
    return f"%s::{_SIZED.sub(r'\1', str(field.db_type(connection)))}[]"


def update_each(
    model: type[Model],
    values: Mapping[Any, Mapping[str, Any]],
    *,
    same: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
) -> int:
    """``UPDATE`` the rows of ``model`` whose primary keys are the keys of ``values``: each row gets its own
    ``values[pk]`` (every row must name the same fields), every row gets ``same``, and only rows whose columns
    equal ``where`` are touched (a compare-and-set). Returns the number of rows updated."""
    if not values:
        return 0
    pk = model._meta.pk
    assert pk is not None
    table = connection.ops.quote_name(model._meta.db_table)
    fields = [_field(model, name) for name in next(iter(values.values()))]
    keys = list(values)
    sets: list[str] = []
    params: list[Any] = []  # in the order of the placeholders: SET, then FROM (PostgreSQL), then WHERE
    pg = connection.vendor == "postgresql"
    for i, f in enumerate(fields):
        if pg:
            sets.append(f"{_column(f)} = v.v{i}")
        else:
            sets.append(f"{_column(f)} = CASE {_column(pk)} {' '.join(['WHEN %s THEN %s'] * len(keys))} END")
            for key, row in values.items():
                params += [key, _prep(f, row[f.name])]
    for name, value in (same or {}).items():
        sets.append(f"{_column(_field(model, name))} = %s")
        params.append(_prep(_field(model, name), value))
    if pg:
        names = ["pk", *(f"v{i}" for i in range(len(fields)))]
        source = f" FROM unnest({', '.join([_array(pk), *(_array(f) for f in fields)])}) AS v({', '.join(names)})"
        params += [keys, *([_prep(f, row[f.name]) for row in values.values()] for f in fields)]
        conditions = [f"{table}.{_column(pk)} = v.pk"]
    else:
        source = ""
        conditions = [f"{_column(pk)} IN ({', '.join(['%s'] * len(keys))})"]
        params += keys
    for name, value in (where or {}).items():
        conditions.append(f"{table}.{_column(_field(model, name))} = %s")
        params.append(_prep(_field(model, name), value))
    sql = f"UPDATE {table} SET {', '.join(sets)}{source} WHERE {' AND '.join(conditions)}"  # noqa: S608 - quoted names, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def insert_rows[M: Model](objs: Sequence[M]) -> list[M]:
    """Insert new instances (all of one model) in one statement and set their primary keys, as ``bulk_create``
    does, for a fraction of its cost."""
    if not objs:
        return []
    meta = type(objs[0])._meta
    pk = meta.pk
    assert pk is not None
    fields: list[Field[Any, Any]] = [f for f in meta.concrete_fields if f is not pk]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(_column(f) for f in fields)
    rows = [[_prep(f, f.pre_save(obj, True)) for f in fields] for obj in objs]
    if connection.vendor == "postgresql":
        params: list[Any] = [[row[i] for row in rows] for i in range(len(fields))]
        source = f"SELECT * FROM unnest({', '.join(_array(f) for f in fields)})"  # noqa: S608 - column types
    else:
        params = [value for row in rows for value in row]
        source = "VALUES " + ", ".join([f"({', '.join(['%s'] * len(fields))})"] * len(rows))
    sql = f"INSERT INTO {table} ({columns}) {source} RETURNING {_column(pk)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)
