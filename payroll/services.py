"""Writes of the payroll app: keyword-only, one short transaction, one audit row each."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.bulk import any_of, loaded
from smartcoop.core.errors import ApplicationError, Conflict, ValidationFailed
from smartcoop.core.models import User

from .calculations.types import ZERO, Side
from .models import Payslip, PayslipContract, TaxProfile, WorkAccidentRate

EMPLOYEE = Side.EMPLOYEE
EMPLOYER = Side.EMPLOYER


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


def _student_hours_before(*, member_ids, first_days: dict, pay_date: date, exclude_ids) -> dict:
    """Student hours already counted against the year's quota by each member's other payslips,
    in every entity: those of earlier months, and of the same month paid earlier (one query)."""
    from django_scopes import scopes_disabled

    totals = {pk: Decimal("0") for pk in member_ids}
    years = {day.year for day in first_days.values()}
    # Across entities on purpose: the student quota is the person's, whichever entity paid them.
    with scopes_disabled():
        rows = (
            Payslip.objects.filter(any_of("member_id", member_ids), period_start__year__in=years)
            .exclude(student_hours_in_quota=0)
            .values_list("pk", "member_id", "period_start", "pay_date", "student_hours_in_quota")
        )
        for pk, member_id, period_start, paid_on, hours in rows:
            first_day = first_days[member_id]
            if pk in exclude_ids or period_start.year != first_day.year:
                continue
            if period_start < first_day or (period_start == first_day and paid_on < pay_date):
                totals[member_id] += hours
    return totals


def _payslip_period(*, entity, member, contracts, country: str, reopened: dict):
    """The worker category and calendar month of `contracts`, or ValidationFailed."""
    from .engine_facts import contract_category

    if not contracts:
        raise ValidationFailed(_("A payslip pays at least one contract."), field="contracts")
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
    return categories.pop(), first_day, last_day


def _payslip_values(result, profile, first_day: date, last_day: date, notes) -> dict:
    return {
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
            {"key": p.key, "from": p.valid_from.isoformat(), "value": p.value, "source": p.source}
            for p in result.parameters
        ],
        "tax_profile": _profile_snapshot(profile),
        "notes": [*result.notes, *notes],
    }


# The payslip's columns in the model's order: a new payslip is made from them positionally
# (as a row read from the database is) and written by COPY (`_Snapshots`).
_PAYSLIP_COLUMNS = (
    "id", "public_id", "created_at", "updated_at", "entity_id", "member_id", "pay_date",
    "period_start", "period_end", "category", "status", "gross", "employee_deductions",
    "net_taxable", "net_social", "net_pay", "employer_contributions", "employer_cost",
    "student_hours_in_quota", "lines", "parameters", "tax_profile", "notes", "number", "year",
    "reference", "corrects_id", "approved_at", "approved_by_id",
)  # fmt: skip
_JSON_COLUMNS = (19, 20, 21, 22)  # lines, parameters, tax_profile, notes


class _Snapshots:
    """New payslips of one batch (a pay run's chunk), made and written fast: what the payslips
    of a batch share (the parameter snapshot of a month and path, a tax profile, a line's code,
    rate, side and source) is turned into its JSON once, and each payslip's JSON documents
    are put together from those pieces; the rows are written with one COPY. The values kept,
    and the documents stored, are those of `_payslip_values` (the same keys and strings; the
    column is jsonb, so the stored document does not depend on how the text was spelled)."""

    def __init__(self) -> None:
        if tuple(f.attname for f in Payslip._meta.concrete_fields) != _PAYSLIP_COLUMNS:
            raise RuntimeError("Payslip's fields changed: update _PAYSLIP_COLUMNS")
        self.parameters: dict[int, tuple] = {}
        self.profiles: dict[int, tuple] = {}
        self.heads: dict[tuple, tuple] = {}
        self.notes: dict[tuple, str] = {}
        self.rows: list[list] = []

    def _parameters(self, parameters) -> tuple[list, str]:
        found = self.parameters.get(id(parameters))
        if found is None or found[0] is not parameters:
            value = [
                {"key": p.key, "from": p.valid_from.isoformat(), "value": p.value,
                 "source": p.source}
                for p in parameters
            ]  # fmt: skip
            found = self.parameters[id(parameters)] = (parameters, value, json.dumps(value))
        return found[1], found[2]

    def _profile(self, profile) -> tuple[dict, str]:
        found = self.profiles.get(id(profile))
        if found is None or found[0] is not profile:
            value = _profile_snapshot(profile)
            found = self.profiles[id(profile)] = (profile, value, json.dumps(value))
        return found[1], found[2]

    def _lines(self, lines) -> tuple[list, str]:
        values, texts = [], []
        heads = self.heads
        for code, label_key, base, rate, amount, side, source in lines:
            key = (code, label_key, rate, side, source)
            head = heads.get(key)
            if head is None:
                rate_text = None if rate is None else str(rate)
                side_text = str(side)
                prefix = json.dumps(
                    {"code": code, "label_key": label_key, "rate": rate_text,
                     "side": side_text, "source": source}
                )[:-1]  # fmt: skip
                head = heads[key] = (rate_text, side_text, prefix + ', "base": "')
            base_text, amount_text = str(base), str(amount)
            values.append(
                {"code": code, "label_key": label_key, "base": base_text, "rate": head[0],
                 "amount": amount_text, "side": head[1], "source": source}
            )  # fmt: skip
            texts.append(f'{head[2]}{base_text}", "amount": "{amount_text}"}}')
        return values, f"[{', '.join(texts)}]"

    def new_payslip(
        self, result, profile, first_day: date, last_day: date, notes, *, entity, member,
        pay_date: date, now,
    ) -> Payslip:  # fmt: skip
        """The draft payslip of `result` (as `_payslip_values` describes it), to `insert`."""
        lines, lines_text = self._lines(result.lines)
        parameters, parameters_text = self._parameters(result.parameters)
        tax_profile, profile_text = self._profile(profile)
        all_notes = [*result.notes, *notes]
        notes_key = tuple(all_notes)
        notes_text = self.notes.get(notes_key)
        if notes_text is None:
            notes_text = self.notes[notes_key] = json.dumps(all_notes)
        employee = employer = ZERO
        for line in result.lines:
            if line.side == EMPLOYEE:
                employee += line.amount
            elif line.side == EMPLOYER:
                employer += line.amount
        gross = result.gross
        values = [
            None, uuid.uuid4(), now, now, entity.pk, member.pk, pay_date, first_day, last_day,
            str(result.category), Payslip.Status.DRAFT.value, gross, employee,
            result.net_taxable, result.net_social, result.net_pay, employer, gross + employer,
            result.student_hours_in_quota, lines, parameters, tax_profile, all_notes, None, None,
            "", None, None, None,
        ]  # fmt: skip
        (payslip,) = loaded(Payslip, _PAYSLIP_COLUMNS, [values])
        payslip._state.adding = True  # until `insert`
        _ENTITY_FIELD.set_cached_value(payslip, entity)
        _MEMBER_FIELD.set_cached_value(payslip, member)
        values[19:23] = lines_text, parameters_text, profile_text, notes_text
        self.rows.append(values)
        return payslip

    def insert(self, payslips: list[Payslip]) -> None:
        """Write the payslips made by `new_payslip` (one COPY) and give them their ids."""
        from django.db import DEFAULT_DB_ALIAS

        from smartcoop.core.bulk import copy_rows

        if not payslips:
            return
        ids = copy_rows(Payslip, _PAYSLIP_COLUMNS[1:], [row[1:] for row in self.rows])
        for payslip, pk in zip(payslips, ids, strict=True):
            payslip.pk = pk
            payslip._state.adding = False
            payslip._state.db = DEFAULT_DB_ALIAS
        self.rows = []


_ENTITY_FIELD = Payslip._meta.get_field("entity")
_MEMBER_FIELD = Payslip._meta.get_field("member")


def payslip_compute(
    *,
    entity,
    member,
    pay_date: date,
    contracts,
    actor: User | None,
    at_mp_rate: Decimal | None = None,
    employer_headcount: int = 1,
) -> Payslip:
    """Compute (or recompute, while a draft) the payslip of `member` by `entity` on `pay_date`
    for `contracts`, all of one calendar month and one worker category. Locks the member's
    payslip row of that date (and creates it if needed). A contract already paid by another
    payslip, or an approved payslip, is refused."""
    (outcome,) = payslips_compute_many(
        entity=entity,
        pay_date=pay_date,
        workers=[(member, list(contracts))],
        actor=actor,
        at_mp_rate=at_mp_rate,
        employer_headcount=employer_headcount,
    )
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome


def payslips_compute_many(
    *,
    entity,
    pay_date: date,
    workers,
    actor: User | None,
    at_mp_rate: Decimal | None = None,
    employer_headcount: int = 1,
) -> list[Payslip | ApplicationError]:
    """`payslip_compute` for many workers of one entity and pay date in one transaction (a pay
    run's chunk): `workers` is a list of (member, contracts), each member once. What it reads
    (payslips of the date, locked; contracts already paid; tax profiles; year-to-date student
    hours) takes one query each for the whole batch; the engine runs in Python; the payslips,
    their contracts and audit rows are written in bulk. Returns, per worker and in order, the
    payslip or the refusal (a worker refused writes nothing; the others are computed)."""
    from smartcoop.core.audit import audit_copy
    from smartcoop.core.bulk import copy_rows
    from smartcoop.countries import current_pack

    from . import calculations as engine
    from .engine_facts import exit_holidays_of, intermittent_of, work_accident_rate_at
    from .selectors import tax_profiles_at

    pack = current_pack()
    country = pack.code
    workers = [(member, list(contracts)) for member, contracts in workers]
    member_ids = [member.pk for member, _contracts in workers]
    if len(set(member_ids)) != len(member_ids):
        raise ValueError("one payslip a worker: a member is listed twice")
    outcomes: list[Payslip | ApplicationError] = []
    with transaction.atomic():
        existing = {
            p.member_id: p
            for p in Payslip.objects.select_for_update()
            .filter(any_of("member_id", member_ids), entity=entity, pay_date=pay_date)
            .filter(corrects=None)
            .order_by("pk")
        }
        every_contract = [c.pk for _member, contracts in workers for c in contracts]
        # a payment in force: not a reversal, and not reversed by a correction
        paid_by = dict(
            PayslipContract.objects.filter(
                any_of("contract_id", every_contract),
                reverses__isnull=True,
                reversed_by__isnull=True,
            ).values_list("contract_id", "payslip_id")
        )
        reopened = _reopened_by_correction(every_contract, entity=entity, pay_date=pay_date)
        accident_rates: dict[date, tuple] = {}
        profiles = tax_profiles_at(member_ids=member_ids, on=pay_date)
        periods: dict[int, tuple] = {}
        for member, contracts in workers:
            try:
                periods[member.pk] = _payslip_period(
                    entity=entity, member=member, contracts=contracts, country=country,
                    reopened=reopened,
                )  # fmt: skip
            except ApplicationError as error:
                periods[member.pk] = (error,)
        hours_before = _student_hours_before(
            member_ids=[pk for pk, period in periods.items() if len(period) == 3],
            first_days={pk: period[1] for pk, period in periods.items() if len(period) == 3},
            pay_date=pay_date,
            exclude_ids={p.pk for p in existing.values()},
        )
        exit_holidays = {}
        if pack.exit_holiday_pay:  # the exit holiday pay's history, for the whole chunk
            exit_holidays = exit_holidays_of(
                entity=entity,
                pay_date=pay_date,
                workers=[
                    (member, contracts, periods[member.pk][0], periods[member.pk][1],
                     existing[member.pk].pk if member.pk in existing else None)
                    for member, contracts in workers
                    if len(periods[member.pk]) == 3
                ],
            )  # fmt: skip
        # per worker, the engine's input and what the payslip keeps beside the result, or
        # the refusal; then the engine once for the chunk (`compute_many`: each month's
        # parameters read once, the garbage collector paused)
        prepared: list = []
        for member, contracts in workers:
            period = periods[member.pk]
            payslip = existing.get(member.pk)
            try:
                if len(period) == 1:
                    raise period[0]
                category, first_day, last_day = period
                if payslip is not None and payslip.status == Payslip.Status.APPROVED:
                    raise Conflict(_("This payslip is approved: it can no longer change."))
                if any(paid_by.get(c.pk) not in (None, payslip and payslip.pk) for c in contracts):
                    raise Conflict(_("A contract of this list is already paid by another payslip."))
                profile = profiles[member.pk]
                notes: list[str] = []
                rate = at_mp_rate
                try:
                    # The entity's AT/MP rate when the caller gives none (engine_facts).
                    if pack.work_accident_rates and rate is None:
                        if first_day not in accident_rates:
                            accident_rates[first_day] = work_accident_rate_at(
                                entity=entity, on=first_day
                            )
                        rate, default_rate = accident_rates[first_day]
                        if default_rate:
                            notes.append("at_mp_default_rate")
                except engine.MissingParameter as error:
                    raise ValidationFailed(str(error), code="missing_parameter") from error
                exit_holiday = exit_holidays.get(member.pk)
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
                    year_to_date=engine.YearToDate(hours_before[member.pk]),
                    employer_headcount=employer_headcount,
                    at_mp_rate=rate,
                    short_contract=all((c.end_date - c.start_date).days < 62 for c in contracts),
                    intermittent=intermittent_of(country, contracts),
                    exit_holiday=exit_holiday,
                )
                prepared.append((pay, profile, first_day, last_day, notes))
            except ApplicationError as error:
                prepared.append(error)
        results = iter(
            engine.compute_many(
                [ready[0] for ready in prepared if not isinstance(ready, ApplicationError)],
                keep_errors=True,
            )
        )
        created, updated = [], []
        snapshots = _Snapshots()
        now = timezone.now()
        for (member, contracts), ready in zip(workers, prepared, strict=True):
            if isinstance(ready, ApplicationError):
                outcomes.append(ready)
                continue
            _pay, profile, first_day, last_day, notes = ready
            result = next(results)
            if isinstance(result, engine.MissingParameter):
                outcomes.append(ValidationFailed(str(result), code="missing_parameter"))
                continue
            if isinstance(result, Exception):  # not a refusal: the chunk fails, as before
                raise result
            payslip = existing.get(member.pk)
            if payslip is None:
                payslip = snapshots.new_payslip(
                    result, profile, first_day, last_day, notes,
                    entity=entity, member=member, pay_date=pay_date, now=now,
                )  # fmt: skip
                created.append(payslip)
            else:
                values = _payslip_values(result, profile, first_day, last_day, notes)
                fields = [*values, "updated_at"]
                for field, value in values.items():
                    setattr(payslip, field, value)
                payslip.updated_at = timezone.now()
                updated.append(payslip)
            payslip._paid = contracts  # type: ignore[attr-defined]
            outcomes.append(payslip)
        snapshots.insert(created)
        if updated:
            Payslip.objects.bulk_update(updated, fields)
            PayslipContract.objects.filter(payslip__in=updated).delete()
        done = [*created, *updated]
        # the paid contracts and audit rows as plain rows (no model instances: most of a
        # chunk's Python time went into making them)
        copy_rows(
            PayslipContract,
            ["payslip_id", "contract_id", "gross", "hours", "replaces_id"],
            [
                (p.pk, c.pk, c.gross_wage, c.hours, reopened.get(c.pk))
                for p in done
                for c in p._paid  # type: ignore[attr-defined]
            ],
        )
        audit_copy(
            actor=actor,
            action="payroll.payslip.computed",
            entries=[(p, {"gross": str(p.gross), "net_pay": str(p.net_pay)}) for p in done],
        )
    return outcomes


def _reopened_by_correction(contract_ids, *, entity, pay_date: date) -> dict[int, int]:
    """The contracts a correction reversed, which a new payment may pay again: contract id ->
    the reversal row the new payment replaces (not replaced yet, or replaced by the draft of
    this entity and pay date being recomputed: a contract is one worker's, so that draft is
    its worker's)."""
    from django.db.models import Q

    rows = PayslipContract.objects.filter(
        any_of("contract_id", contract_ids), reverses__isnull=False
    ).filter(
        Q(replaced_by__isnull=True)
        | Q(
            replaced_by__payslip__entity=entity,
            replaced_by__payslip__pay_date=pay_date,
            replaced_by__payslip__status=Payslip.Status.DRAFT,
        )
    )
    return {row.contract_id: row.pk for row in rows}


def payslip_approve(
    *, payslip: Payslip, actor: User | None, now, render_pdf: bool = True
) -> Payslip:
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


def payslips_approve_many(*, entity, payslip_ids, actor: User | None, now) -> list[int]:
    """`payslip_approve` for many drafts of `entity` in one transaction (a pay run's approval):
    the drafts are locked, numbered in the order given with one block of numbers a year
    (`number_allocate_block`, still gap-free: the transaction uses every number it takes or
    gives them all back), updated in one statement and audited in one insert. A payslip no
    longer a draft is left alone. Returns the ids approved. PDFs are the caller's (the run's
    render step)."""
    from smartcoop.core.audit import audit_copy
    from smartcoop.core.numbering import number_allocate_block

    from .models import PAYSLIP_SERIES

    order = {pk: index for index, pk in enumerate(payslip_ids)}
    with transaction.atomic():
        drafts = sorted(
            Payslip.objects.select_for_update()
            .filter(any_of("pk", payslip_ids), entity=entity, status=Payslip.Status.DRAFT)
            .only("pk", "public_id", "entity_id", "pay_date", "net_pay"),
            key=lambda p: order[p.pk],
        )
        by_year: dict[int, list[Payslip]] = {}
        for payslip in drafts:
            by_year.setdefault(payslip.pay_date.year, []).append(payslip)
        for year, payslips in sorted(by_year.items()):
            first = number_allocate_block(
                entity=entity, series=PAYSLIP_SERIES, year=year, count=len(payslips)
            )
            for offset, payslip in enumerate(payslips):
                payslip.year = year
                payslip.number = first + offset
                payslip.reference = payslip_reference(year=year, number=first + offset)
        if drafts:
            table = Payslip._meta.db_table
            with connection.cursor() as cursor:
                # One UPDATE from arrays: Django's bulk_update writes a CASE per row and field,
                # quadratic in the batch (seconds for a run of 11,000).
                cursor.execute(
                    f"""
                    UPDATE {table} AS p
                    SET status = %s, year = o.year, number = o.number, reference = o.reference,
                        approved_at = %s, approved_by_id = %s, updated_at = now()
                    FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::text[])
                        AS o(id, year, number, reference)
                    WHERE p.id = o.id AND p.status = %s
                    """,  # noqa: S608 (table name is ours, values are parameters)
                    [
                        Payslip.Status.APPROVED.value,
                        now,
                        getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False)
                        else None,
                        [p.pk for p in drafts],
                        [p.year for p in drafts],
                        [p.number for p in drafts],
                        [p.reference for p in drafts],
                        Payslip.Status.DRAFT.value,
                    ],
                )  # fmt: skip
                if cursor.rowcount != len(drafts):  # the rows are locked: cannot happen
                    raise RuntimeError("payslips changed under their lock")
        audit_copy(
            actor=actor,
            action="payroll.payslip.approved",
            entries=[(p, {"reference": p.reference, "net_pay": str(p.net_pay)}) for p in drafts],
        )
    return [p.pk for p in drafts]


def payslip_reference(*, year: int, number: int) -> str:
    return f"P{year}-{number:06d}"


def _negated(value: str | None) -> str | None:
    return None if value is None else str(-Decimal(value))


def payslip_correct(*, payslip: Payslip, pay_date: date, actor: User | None) -> Payslip:
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
    *, entity, valid_from: date, rate: Decimal, reference: str, actor: User | None
) -> WorkAccidentRate:
    """Record the AT/MP rate the CARSAT notified the entity, from `valid_from` on (France).
    Payslips computed from then use it; those already approved keep the rate they copied. A
    second rate on the same date replaces that day's."""
    from smartcoop.countries import current_pack

    if not current_pack().work_accident_rates:
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
