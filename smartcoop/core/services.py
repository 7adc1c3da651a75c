"""Writes of the kernel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_log
from .errors import ValidationFailed
from .models import LegalEntity
from .validators import check_text

if TYPE_CHECKING:
    from .models import User

# What an administrator may change on an entity from the back-office. Identifiers that define the
# entity legally (enterprise number, country) change only through the admin, with the audit trail.
ENTITY_EDITABLE_FIELDS = (
    "name",
    "legal_form",
    "register_court",
    "share_capital",
    "variable_capital",
    "vat_on_debits_from",
    "vat_number",
    "employer_number",
    "street",
    "postcode",
    "city",
    "iban",
    "bic",
    "email",
    "default_language",
    "invoice_series_prefix",
    "credit_note_series_prefix",
    "invoice_approval_required",
)


def legal_entity_update(
    *, entity: LegalEntity, actor: User | None, data: dict[str, Any]
) -> LegalEntity:
    """Change an entity's details. Every value is validated (identifiers for the country, IBAN
    and BIC); the first invalid one is refused with its field named, and nothing is saved.
    Locks: the entity row."""
    unknown = set(data) - set(ENTITY_EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}."
        )
    # Every text here is printed on invoices, their UBL and e-mail headers: one line each.
    for field, value in data.items():
        if isinstance(value, str):
            check_text(field, value)
    with transaction.atomic():
        locked = LegalEntity.objects.select_for_update().get(pk=entity.pk)
        before = {field: getattr(locked, field) for field in data}
        for field, value in data.items():
            setattr(locked, field, value)
        try:
            locked.full_clean()
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ValidationFailed(
                messages[0],
                field=field if field != "__all__" else None,
                extra={"fields": exc.message_dict},
            ) from None
        changed = {
            f: {"from": before[f], "to": getattr(locked, f)}
            for f in data
            if before[f] != getattr(locked, f)
        }
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            audit_log(actor=actor, action="core.entity.updated", target=locked, data=changed)
    return locked
