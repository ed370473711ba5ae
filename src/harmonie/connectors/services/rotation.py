"""Key rotation: re-encrypt every stored secret with the current key, so that old keys can leave the keyring."""

from __future__ import annotations

from collections import Counter

from django.db import models, transaction

from harmonie.connectors.models import ChannelConnection, NetworkApp, OAuthRequest
from harmonie.core import crypto
from harmonie.core.audit import audit_record
from harmonie.governance.models import Organization

BATCH_SIZE = 200

# Each model with its encrypted columns, the column name given to ``aad`` and how to find the organization.
ENCRYPTED: list[tuple[type[models.Model], dict[str, str], str]] = [
    (NetworkApp, {"client_secret_encrypted": "client_secret"}, "organization_id"),
    (
        ChannelConnection,
        {
            "access_token_encrypted": "access_token",
            "refresh_token_encrypted": "refresh_token",
            "secret_encrypted": "secret",
        },
        "channel__organization_id",
    ),
    (OAuthRequest, {"verifier_encrypted": "verifier"}, "organization_id"),
]


def _rotate_batch(model: type[models.Model], columns: dict[str, str], org_path: str, pks: list[int]) -> Counter[int]:
    per_org: Counter[int] = Counter()
    with transaction.atomic():
        rows = list(model._default_manager.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk"))
        orgs = dict(model._default_manager.filter(pk__in=pks).values_list("pk", org_path))
        changed = []
        for row in rows:
            touched = False
            for column, name in columns.items():
                value = getattr(row, column)
                if crypto.needs_rotation(value):
                    setattr(row, column, crypto.rotate(value, aad=row.aad(name)))  # type: ignore[attr-defined]
                    per_org[orgs[row.pk]] += 1
                    touched = True
            if touched:
                changed.append(row)
        if changed:
            model._default_manager.bulk_update(changed, list(columns))
    return per_org


def encryption_rotate() -> int:
    """Re-encrypt every encrypted column still using an older key with the current one, in batches (each batch in
    its own transaction, rows locked). Returns how many values were re-encrypted; each organization's audit log
    records its count. Run it after putting a new key first in the keyring; then the old keys can be removed."""
    current = crypto.keyring().current_id
    total: Counter[int] = Counter()
    for model, columns, org_path in ENCRYPTED:
        stale = models.Q()
        for column in columns:
            stale |= ~models.Q(**{column: ""}) & ~models.Q(
                **{f"{column}__startswith": f"{crypto.FORMAT_VERSION}:{current}:"}
            )
        pks = list(model._default_manager.filter(stale).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH_SIZE):
            total.update(_rotate_batch(model, columns, org_path, pks[start : start + BATCH_SIZE]))
    for org in Organization.objects.filter(pk__in=list(total)):
        with transaction.atomic():
            audit_record(
                organization_id=org.pk,
                actor=None,
                action="encryption.rotate",
                target=org,
                after={"key_id": current, "values": total[org.pk]},
            )
    return sum(total.values())
