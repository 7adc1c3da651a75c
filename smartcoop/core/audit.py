"""The audit trail: one row per change that matters, written in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from .models import AuditLogEntry, LegalEntity, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# Keys whose values never reach the log in clear (national numbers, bank accounts, secrets).
SENSITIVE_KEYS = (
    "national_number",
    "iban",
    "password",
    "secret",
    "token",
    "totp",
    "recovery",
    "bic_account",
    "nir",
    "insz",
    "niss",
    "ssn",
)


def _is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in SENSITIVE_KEYS)


def mask_value(value: Any) -> str:
    text = str(value)
    return "•" * max(len(text) - 4, 4) + text[-4:] if len(text) > 4 else "••••"


def mask_secrets(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: (
                mask_value(value)
                if _is_sensitive(str(key)) and value not in (None, "")
                else mask_secrets(value)
            )
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask_secrets(item) for item in data]
    if isinstance(data, str | int | bool) or data is None:
        return data
    return str(data)  # Decimal, date, UUID: as text


def audit_entry(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    entity=None,
    data: dict[str, Any] | None = None,
) -> AuditLogEntry:
    """The row `audit_log` writes, not saved yet: a batch writes many with
    `AuditLogEntry.objects.bulk_create` in the transaction of its change."""
    if entity is not None:
        entity_id = getattr(entity, "pk", entity)
    elif isinstance(target, LegalEntity):
        entity_id = target.pk
    else:
        entity_id = getattr(target, "entity_id", None)
    return AuditLogEntry(
        actor=actor if isinstance(actor, User) else None,
        entity_id=entity_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "") or ""),
        data=mask_secrets(data or {}),
    )


def audit_log(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    entity=None,
    data: dict[str, Any] | None = None,
) -> AuditLogEntry:
    """Record `action` (namespaced, e.g. "invoicing.invoice.issued") on `target`.

    Call it inside the transaction that makes the change, so both happen or neither does."""
    entry = audit_entry(actor=actor, action=action, target=target, entity=entity, data=data)
    entry.save(force_insert=True)
    return entry


def audit_log_many(entries: list[dict[str, Any]]) -> list[AuditLogEntry]:
    """Several `audit_log` rows (same keyword arguments each) written in one INSERT: for a
    change made to many rows at once (a batch of declarations sent). Same masking, same rule:
    inside the transaction of the change."""
    return AuditLogEntry.objects.bulk_create(
        audit_entry(
            actor=entry.get("actor"),
            action=entry["action"],
            target=entry.get("target"),
            entity=entry.get("entity"),
            data=entry.get("data"),
        )
        for entry in entries
    )


def audit_copy(*, actor: User | AnonymousUser | None, action: str, entries) -> int:
    """Audit many changes of one kind at once (a pay run's chunk): `entries` are (target,
    data) pairs; the rows are those `audit_entry` makes (data masked the same way), written by
    one COPY without model instances. Call it inside the transaction of the change. Returns
    the number of rows."""
    import json

    from django.utils import timezone

    from .bulk import copy_rows

    now = timezone.now()
    actor_id = actor.pk if isinstance(actor, User) else None
    rows = [
        (
            now,
            actor_id,
            getattr(target, "entity_id", None),
            action,
            target._meta.label_lower,
            str(getattr(target, "public_id", None) or target.pk or ""),
            json.dumps(mask_secrets(data or {})),
        )
        for target, data in entries
    ]
    copy_rows(
        AuditLogEntry,
        ["created_at", "actor_id", "entity_id", "action", "target_type", "target_id", "data"],
        rows,
    )
    return len(rows)
