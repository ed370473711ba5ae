"""Writing audit entries. Services call :func:`audit_record` inside their transaction (or :func:`audit_record_many`
for a batch of rows in one insert)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from harmonie.core.models import AuditEntry

if TYPE_CHECKING:
    from harmonie.accounts.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited fields of ``instance`` as JSON-ready values (foreign keys by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            out[name] = getattr(instance, field.attname)
        else:
            out[name] = _jsonable(getattr(instance, name))
    return out


def audit_record(
    *,
    organization_id: int,
    actor: User | None,
    action: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    market_id: int | None = None,
    target_label: str | None = None,
) -> AuditEntry:
    label = "system" if actor is None else (actor.get_full_name() or actor.email)
    return AuditEntry.objects.create(
        organization_id=organization_id,
        market_id=market_id,
        actor=actor,
        actor_label=label,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=(target_label or str(target))[:255],
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        created_at=timezone.now(),
    )


@dataclass(frozen=True)
class AuditRow:
    """One entry for :func:`audit_record_many`: the arguments of :func:`audit_record`."""

    organization_id: int
    actor: User | None
    action: str
    target: models.Model
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    market_id: int | None = None
    target_label: str | None = None


def audit_record_many(*, rows: Sequence[AuditRow]) -> list[AuditEntry]:
    """Write several audit entries in one insert, each exactly as :func:`audit_record` would write it (same labels,
    same JSON, the same moment for all)."""
    now = timezone.now()
    return AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                organization_id=row.organization_id,
                market_id=row.market_id,
                actor=row.actor,
                actor_label="system" if row.actor is None else (row.actor.get_full_name() or row.actor.email),
                action=row.action,
                target_type=row.target._meta.label_lower,
                target_id=str(row.target.pk),
                target_label=(row.target_label or str(row.target))[:255],
                before=_jsonable(dict(row.before)) if row.before is not None else None,
                after=_jsonable(dict(row.after)) if row.after is not None else None,
                created_at=now,
            )
            for row in rows
        ]
    )
