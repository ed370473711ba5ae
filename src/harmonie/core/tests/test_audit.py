from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from harmonie.core.models import AppendOnlyError, AuditEntry


def test_orm_refuses_to_change_or_delete_entries(demo_org):
    entry = AuditEntry.objects.filter(organization=demo_org).first()
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action != "tampered"


def test_database_refuses_raw_updates(demo_org):
    entry = AuditEntry.objects.filter(organization=demo_org).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'tampered' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: DELETE is refused by the ORM only (ADR 0004)")
def test_postgresql_refuses_raw_deletes(demo_org):
    entry = AuditEntry.objects.filter(organization=demo_org).first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_demo_setup_is_in_the_audit_log(demo_org):
    actions = AuditEntry.objects.filter(organization=demo_org).values_list("action", flat=True)
    assert actions.filter(action="market.create").count() == 8
    assert actions.filter(action="channel.create").count() == 14
    assert actions.filter(action="budget.create").count() == 42
    assert actions.filter(action="organization.create").count() == 1
