"""Writes of the payroll app: keyword-only, one short transaction, one audit row each."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import User

from .models import Payslip, PayslipContract, TaxProfile, WorkAccidentRate


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


# --- Payslips ------------------------------------------------------------------------------------

PAYABLE = ("validated", "declared", "performed")


def _profile_snapshot(profile) -> dict:
    return {
        "marital_status": str(profile.marital_status),
        "partner_has_income": profile.partner_has_income,
        "dependent_children": profile.dependent_children,
        "disabled_children": profile.disabled_children,
        "other_dependants": profile.other_dependants,
        "disabled": profile.disabled,
        "fr_pas_rate": None if profile.fr_pas_rate is None else str(profile.fr_pas_rate),
        "is_default": profile.is_default,
    }


def _student_hours_counted_before(*, member, period_start: date, pay_date: date, exclude_id):
    """Student hours already counted against this year's quota by the member's other payslips,
    in every entity: those of earlier months, and of the same month paid earlier."""
    from django.db.models import Q, Sum
    from django_scopes import scopes_disabled

    with scopes_disabled():
        earlier = Payslip.objects.filter(
            member=member, period_start__year=period_start.year
        ).filter(
            Q(period_start__lt=period_start) | Q(period_start=period_start, pay_date__lt=pay_date)
        )
        if exclude_id:
            earlier = earlier.exclude(pk=exclude_id)
        total = earlier.aggregate(total=Sum("student_hours_in_quota"))["total"]
    return total or Decimal("0")


def payslip_compute(
    *,
    entity,
    member,
    pay_date: date,
    contracts,
    actor,
    at_mp_rate: Decimal | None = None,
    employer_headcount: int = 1,
) -> Payslip:
    """Compute (or recompute, while a draft) the payslip of `member` by `entity` on `pay_date`
    for `contracts`, all of one calendar month and one worker category. Locks the member's
    payslip row of that date (and creates it if needed). A contract already paid by another
    payslip, or an approved payslip, is refused."""
    from smartcoop.countries import current_pack

    from . import calculations as engine
    from .engine_facts import (
        contract_category,
        exit_holiday_of,
        intermittent_of,
        work_accident_rate_at,
    )
    from .selectors import tax_profile_at

    contracts = list(contracts)
    if not contracts:
        raise ValidationFailed(_("A payslip pays at least one contract."), field="contracts")
    reopened = _reopened_by_correction(contracts, entity=entity, member=member, pay_date=pay_date)
    country = current_pack().code
    categories = set()
    for contract in contracts:
        if contract.member_id != member.pk or contract.entity_id != entity.pk:
            raise ValidationFailed(
                _("Every contract must be the worker's, with this entity."), field="contracts"
            )
        if contract.status not in PAYABLE and contract.pk not in reopened:
            raise ValidationFailed(
                _("A contract of this list is not validated: it cannot be paid yet."),
                field="contracts",
            )
        category = contract_category(country, contract)
        if category is None:
            raise ValidationFailed(
                _("This contract type is not paid by a payslip."), field="contracts"
            )
        categories.add(category)
    if len(categories) > 1:
        raise ValidationFailed(
            _("One payslip pays contracts of one worker category."), field="contracts"
        )
    first_day = min(c.start_date for c in contracts).replace(day=1)
    last_day = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if any(c.end_date > last_day for c in contracts):
        raise ValidationFailed(
            _("The contracts of one payslip fall within one calendar month."), field="contracts"
        )
    with transaction.atomic():
        payslip = (
            Payslip.objects.select_for_update()
            .filter(entity=entity, member=member, pay_date=pay_date, corrects__isnull=True)
            .first()
        )
        if payslip is not None and payslip.status == Payslip.Status.APPROVED:
            raise Conflict(_("This payslip is approved: it can no longer change."))
        # a payment in force: not a reversal, and not reversed by a correction
        paid_elsewhere = PayslipContract.objects.filter(
            contract__in=contracts, reverses__isnull=True, reversed_by__isnull=True
        )
        if payslip is not None:
            paid_elsewhere = paid_elsewhere.exclude(payslip=payslip)
        if paid_elsewhere.exists():
            raise Conflict(_("A contract of this list is already paid by another payslip."))
        profile = tax_profile_at(member=member, on=pay_date)
        category = categories.pop()
        notes: list[str] = []
        try:
            # France: the entity's AT/MP rate when the caller gives none (engine_facts).
            if country == "FR" and at_mp_rate is None:
                at_mp_rate, default_rate = work_accident_rate_at(entity=entity, on=first_day)
                if default_rate:
                    notes.append("at_mp_default_rate")
        except engine.MissingParameter as error:
            raise ValidationFailed(str(error), code="missing_parameter") from error
        exit_holiday = None
        if country == "BE":
            exit_holiday = exit_holiday_of(
                entity=entity, member=member, contracts=contracts, category=category,
                period_start=first_day, pay_date=pay_date,
                exclude_id=payslip.pk if payslip else None,
            )  # fmt: skip
        pay = engine.PayInput(
            country=country,
            category=category,
            period_start=first_day,
            period_end=last_day,
            contracts=tuple(
                engine.ContractPay(
                    str(c.public_id), c.gross_wage, c.hours, c.start_date, c.end_date
                )
                for c in contracts
            ),
            tax_profile=profile,
            year_to_date=engine.YearToDate(
                _student_hours_counted_before(
                    member=member,
                    period_start=first_day,
                    pay_date=pay_date,
                    exclude_id=payslip.pk if payslip else None,
                )
            ),
            employer_headcount=employer_headcount,
            at_mp_rate=at_mp_rate,
            short_contract=all((c.end_date - c.start_date).days < 62 for c in contracts),
            intermittent=intermittent_of(country, contracts),
            exit_holiday=exit_holiday,
        )
        try:
            result = engine.compute_pay(pay)
        except engine.MissingParameter as error:
            raise ValidationFailed(str(error), code="missing_parameter") from error
        values = {
            "period_start": first_day,
            "period_end": last_day,
            "category": str(result.category),
            "gross": result.gross,
            "employee_deductions": result.employee_deductions,
            "net_taxable": result.net_taxable,
            "net_social": result.net_social,
            "net_pay": result.net_pay,
            "employer_contributions": result.employer_contributions,
            "employer_cost": result.employer_cost,
            "student_hours_in_quota": result.student_hours_in_quota,
            "lines": [
                {
                    "code": line.code,
                    "label_key": line.label_key,
                    "base": str(line.base),
                    "rate": None if line.rate is None else str(line.rate),
                    "amount": str(line.amount),
                    "side": str(line.side),
                    "source": line.source,
                }
                for line in result.lines
            ],
            "parameters": [
                {
                    "key": p.key,
                    "from": p.valid_from.isoformat(),
                    "value": p.value,
                    "source": p.source,
                }
                for p in result.parameters
            ],
            "tax_profile": _profile_snapshot(profile),
            "notes": [*result.notes, *notes],
        }
        if payslip is None:
            payslip = Payslip.objects.create(
                entity=entity, member=member, pay_date=pay_date, **values
            )
        else:
            for field, value in values.items():
                setattr(payslip, field, value)
            payslip.save()
            payslip.paid_contracts.all().delete()
        PayslipContract.objects.bulk_create(
            PayslipContract(
                payslip=payslip,
                contract=c,
                gross=c.gross_wage,
                hours=c.hours,
                replaces_id=reopened.get(c.pk),
            )
            for c in contracts
        )
        audit_log(
            actor=actor,
            action="payroll.payslip.computed",
            target=payslip,
            data={"gross": str(result.gross), "net_pay": str(result.net_pay)},
        )
    return payslip


def _reopened_by_correction(contracts, *, entity, member, pay_date: date) -> dict[int, int]:
    """The contracts a correction reversed, which a new payment may pay again: contract id ->
    the reversal row the new payment replaces (not replaced yet, or replaced by this worker's
    draft of this pay date, being recomputed)."""
    from django.db.models import Q

    rows = PayslipContract.objects.filter(contract__in=contracts, reverses__isnull=False).filter(
        Q(replaced_by__isnull=True)
        | Q(
            replaced_by__payslip__entity=entity,
            replaced_by__payslip__member=member,
            replaced_by__payslip__pay_date=pay_date,
            replaced_by__payslip__status=Payslip.Status.DRAFT,
        )
    )
    return {row.contract_id: row.pk for row in rows}


def payslip_approve(*, payslip: Payslip, actor, now, render_pdf: bool = True) -> Payslip:
    """Approve a draft and give it its number, gap-free per entity and year of the pay date
    (the number is taken in this transaction: a rollback gives it back). From now on the
    database refuses any change to it. The PDF is rendered after commit by a worker."""
    from smartcoop.core.numbering import number_allocate

    from .models import PAYSLIP_SERIES

    with transaction.atomic():
        payslip = Payslip.objects.select_for_update().get(pk=payslip.pk)
        if payslip.status != Payslip.Status.DRAFT:
            raise Conflict(_("This payslip is already approved."))
        year = payslip.pay_date.year
        number = number_allocate(entity=payslip.entity_id, series=PAYSLIP_SERIES, year=year)
        payslip.status = Payslip.Status.APPROVED
        payslip.year = year
        payslip.number = number
        payslip.reference = payslip_reference(year=year, number=number)
        payslip.approved_at = now
        payslip.approved_by = actor
        payslip.save(
            update_fields=[
                "status", "year", "number", "reference", "approved_at", "approved_by",
                "updated_at",
            ]
        )  # fmt: skip
        audit_log(
            actor=actor,
            action="payroll.payslip.approved",
            target=payslip,
            data={"reference": payslip.reference, "net_pay": str(payslip.net_pay)},
        )
        if render_pdf:  # a pay run passes False and renders its PDFs in chunks
            from .tasks import payslip_render_pdf

            payslip_render_pdf.enqueue(payslip_id=payslip.pk, entity_id=payslip.entity_id)
    return payslip


def payslip_reference(*, year: int, number: int) -> str:
    return f"P{year}-{number:06d}"


def _negated(value: str | None) -> str | None:
    return None if value is None else str(-Decimal(value))


def payslip_correct(*, payslip: Payslip, pay_date: date, actor) -> Payslip:
    """A correction of an approved payslip: a new draft that references the first and reverses
    it (every amount and line negated, the same snapshot of parameters and tax profile). It is
    approved and numbered like any payslip; the first one never changes. Its contract rows
    reverse the first's, so a new payslip may pay those contracts again
    (`corrections.payslip_correction_start` does both)."""
    with transaction.atomic():
        original = Payslip.objects.select_for_update().get(pk=payslip.pk)
        if original.status != Payslip.Status.APPROVED:
            raise Conflict(_("Only an approved payslip is corrected; a draft is recomputed."))
        if original.corrects_id is not None:
            raise Conflict(_("A correction cannot itself be corrected."))
        if Payslip.objects.filter(corrects=original).exists():
            raise Conflict(_("This payslip is already corrected."))
        money = (
            "gross", "employee_deductions", "net_taxable", "net_social", "net_pay",
            "employer_contributions", "employer_cost",
        )  # fmt: skip
        reversal = Payslip.objects.create(
            entity_id=original.entity_id,
            member_id=original.member_id,
            pay_date=pay_date,
            period_start=original.period_start,
            period_end=original.period_end,
            category=original.category,
            corrects=original,
            **{field: -getattr(original, field) for field in money},
            student_hours_in_quota=-original.student_hours_in_quota,
            lines=[
                {**line, "base": _negated(line["base"]), "amount": _negated(line["amount"])}
                for line in original.lines
            ],
            parameters=original.parameters,
            tax_profile=original.tax_profile,
            notes=[*original.notes, "reversal"],
        )
        # each contract's payment is reversed too, so that a new payment may pay it again
        PayslipContract.objects.bulk_create(
            PayslipContract(
                payslip=reversal,
                contract_id=row.contract_id,
                gross=-row.gross,
                hours=-row.hours,
                reverses=row,
            )
            for row in original.paid_contracts.filter(reverses__isnull=True)
        )
        audit_log(
            actor=actor,
            action="payroll.payslip.correction_created",
            target=reversal,
            data={"corrects": original.reference, "net_pay": str(reversal.net_pay)},
        )
    return reversal


# --- Employer facts ------------------------------------------------------------------------------


def work_accident_rate_record(
    *, entity, valid_from: date, rate: Decimal, reference: str, actor
) -> WorkAccidentRate:
    """Record the AT/MP rate the CARSAT notified the entity, from `valid_from` on (France).
    Payslips computed from then use it; those already approved keep the rate they copied. A
    second rate on the same date replaces that day's."""
    from smartcoop.countries import current_pack

    if current_pack().code != "FR":
        raise ValidationFailed(
            _("A work-accident rate is recorded for a French entity only."), field="rate"
        )
    if not (Decimal("0") <= rate <= Decimal("1")):
        raise ValidationFailed(_("A rate is between 0 % and 100 %."), field="rate")
    with transaction.atomic():
        row, created = WorkAccidentRate.objects.select_for_update().update_or_create(
            entity=entity,
            valid_from=valid_from,
            defaults={"rate": rate, "reference": reference.strip()[:100], "recorded_by": actor},
        )
        audit_log(
            actor=actor,
            action="payroll.work_accident_rate.recorded",
            target=row,
            data={
                "valid_from": valid_from.isoformat(),
                "rate": str(rate),
                "reference": row.reference,
                "replaced_same_day": not created,
            },
        )
    return row
