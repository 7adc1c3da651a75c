"""Writes of the payroll app: keyword-only, one short transaction, one audit row each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import User

from .models import TaxProfile


def tax_profile_record(
    *,
    member,
    valid_from: date,
    marital_status: str,
    partner_has_income: bool,
    dependent_children: int,
    disabled_children: int,
    other_dependants: int,
    disabled: bool,
    fr_pas_rate: Decimal | None,
    actor: User | None,
    today: date,
) -> TaxProfile:
    """Record the member's tax profile from `valid_from` on. Earlier entries are kept: the
    payments they served keep their values. A change cannot apply to the past; a second change
    on the same date replaces that day's entry (still not used by any payment before it)."""
    if valid_from < today:
        raise ValidationFailed(
            _(
                "A change applies from today or a later date: payments already computed keep "
                "the values they used."
            ),
            field="valid_from",
        )
    if marital_status not in TaxProfile.MaritalStatus.values:
        raise ValidationFailed(_("Choose a marital status."), field="marital_status")
    if partner_has_income and marital_status != TaxProfile.MaritalStatus.COUPLE:
        raise ValidationFailed(
            _("A partner's income only counts for married or legally cohabiting people."),
            field="partner_has_income",
        )
    for field, number in (
        ("dependent_children", dependent_children),
        ("disabled_children", disabled_children),
        ("other_dependants", other_dependants),
    ):
        if number < 0 or number > 20:
            raise ValidationFailed(_("Enter a number from 0 to 20."), field=field)
    if disabled_children > dependent_children:
        raise ValidationFailed(
            _("Children with a disability are counted among the dependent children."),
            field="disabled_children",
        )
    if fr_pas_rate is not None and not (Decimal("0") <= fr_pas_rate <= Decimal("1")):
        raise ValidationFailed(
            _("A withholding rate is between 0 % and 100 %."), field="fr_pas_rate"
        )
    values = {
        "marital_status": marital_status,
        "partner_has_income": partner_has_income,
        "dependent_children": dependent_children,
        "disabled_children": disabled_children,
        "other_dependants": other_dependants,
        "disabled": disabled,
        "fr_pas_rate": fr_pas_rate,
    }
    with transaction.atomic():
        profile, created = TaxProfile.objects.select_for_update().update_or_create(
            member=member,
            valid_from=valid_from,
            defaults={**values, "recorded_by": actor},
        )
        audit_log(
            actor=actor,
            action="payroll.tax_profile.recorded",
            target=profile,
            data={
                "member": str(member.public_id),
                "valid_from": valid_from.isoformat(),
                "replaced_same_day": not created,
                **{k: str(v) if v is not None else None for k, v in values.items()},
            },
        )
    return profile
