"""What `services.payslip_compute` tells the engines besides the contracts' pay: the worker
category of a contract (with the French executive status), whether a French CDDU is an
intermittent's (annexe 8 or 10), the entity's French work-accident rate, and whether a Belgian
employee's last contract ends with the payment (exit holiday pay).

The rules applied, and why:
- **Intermittents**: every contract type its pack marks `intermittent` (the French
  CDDU: the cooperative's CDDU are those of the performing arts and audiovisual sector, the
  contract the law reserves for them, Code du travail D1242-1 6°) is an intermittent's contract.
  Its sector decides the annex: music and the performing arts are artists (annexe 10); every
  other sector (image, sound and stage, audiovisual, costumes, related functions...) is a
  technician (annexe 8), the more frequent case and the one without reduced rates, so an
  unclear sector never lowers contributions. One payslip pays contracts of one kind.
- **AT/MP rate** (packs with `work_accident_rates`): the entity's `WorkAccidentRate` in force on
  the first day of the month paid, else the pack's default (`fr.at_mp_default_rate`, the
  national average), with the note `at_mp_default_rate` on the payslip.
- **Last contract ends** (packs with `exit_holiday_pay`): the payslip pays a Belgian employee's
  contract and the member has no
  other contract with the entity (validated or later, not cancelled) ending after the latest
  end date it pays. The exit pay then covers the gross of the member's employee payslips with
  this entity since the last exit pay (this year's, and last year's: holidays not yet taken,
  since the cooperative pays none during short contracts), so successive short contracts each
  end with the exit pay of what they earned and nothing is paid twice. The annual taxable pay
  that picks the withholding rate is the taxable pay (exit pay left out) of the member's
  payslips with the entity in the 11 months before, plus this one's (the engine adds it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from smartcoop.core.bulk import any_of
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.sectors import Sector
from smartcoop.countries import current_pack, param
from smartcoop.countries.params import ParameterNotInForce

from . import calculations as engine
from .estimates import contract_type_category, contract_type_of
from .models import Payslip, WorkAccidentRate

ARTIST_SECTORS = frozenset({Sector.MUSIC, Sector.PERFORMING_LITERARY})
EXIT_HOLIDAY_NOTE = "exit_holiday_pay"


def contract_category(country: str, contract) -> engine.WorkerCategory | None:
    """The engine's worker category of a contract: the type's (`ContractType.worker_category`),
    and for France the executive status recorded on the contract."""
    category = contract_type_category(country, contract.contract_type)
    if category == engine.WorkerCategory.NON_CADRE and contract.cadre:
        return engine.WorkerCategory.CADRE
    return category


def intermittent_of(country: str, contracts) -> engine.Intermittent | None:
    kinds: set[engine.Intermittent | None] = set()
    for contract in contracts:
        contract_type = contract_type_of(country, contract.contract_type)
        if contract_type is None or not contract_type.intermittent:
            kinds.add(None)
        elif contract.sector in ARTIST_SECTORS:
            kinds.add(engine.Intermittent.ARTIST)
        else:
            kinds.add(engine.Intermittent.TECHNICIAN)
    if len(kinds) > 1:
        raise ValidationFailed(
            _(
                "One payslip pays contracts of one kind: performing-arts artists, technicians, "
                "or other contracts."
            ),
            field="contracts",
        )
    return kinds.pop()


def work_accident_rate_at(*, entity, on: date) -> tuple[Decimal, bool]:
    """The entity's AT/MP rate on `on`, and whether it is the pack's default. Without either,
    the engine's MissingParameter names the default parameter and the date."""
    recorded = (
        WorkAccidentRate.objects.filter(entity=entity, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if recorded is not None:
        return recorded, False
    name = f"{current_pack().prefix}.at_mp_default_rate"
    try:
        return param(name, on=on), True
    except ParameterNotInForce:
        raise engine.MissingParameter(name, on) from None


def exit_holiday_of(
    *, entity, member, contracts, category, period_start: date, pay_date: date, exclude_id
) -> engine.ExitHoliday | None:
    """The exit holiday pay's inputs when this payment ends the member's last contract with the
    entity (module doc), else None."""
    return exit_holidays_of(
        entity=entity,
        pay_date=pay_date,
        workers=[(member, contracts, category, period_start, exclude_id)],
    )[member.pk]


def exit_holidays_of(*, entity, pay_date: date, workers) -> dict:
    """`exit_holiday_of` of many workers of `entity` paid on `pay_date` (a pay run's chunk) in
    two queries: `workers` lists (member, contracts, category, period_start, exclude_id);
    returns member id -> the inputs or None."""
    from activities.models import EmploymentContract

    found: dict = {member.pk: None for member, *_rest in workers}
    employees = [w for w in workers if w[2] == engine.WorkerCategory.EMPLOYEE]
    if not employees:
        return found
    last_end = {
        member.pk: max(c.end_date for c in contracts) for member, contracts, *_ in employees
    }
    own = [c.pk for _member, contracts, *_rest in employees for c in contracts]
    # Across entities on purpose: a worker leaves the cooperative (exit holiday pay) only when no
    # entity of it employs them later.
    with scopes_disabled():
        later = {
            member_id
            for member_id, end in EmploymentContract.objects.filter(
                any_of("member_id", last_end), entity=entity, end_date__gt=min(last_end.values())
            )
            .exclude(status__in=("draft", "cancelled"))
            .exclude(any_of("pk", own))
            .values_list("member_id", "end_date")
            if end > last_end[member_id]
        }
        ending = [w for w in employees if w[0].pk not in later]
        if not ending:
            return found
        since = min(date(period_start.year - 1, 1, 1) for *_rest, period_start, _ex in ending)
        history: dict[int, list] = {}
        for payslip in (
            Payslip.objects.filter(
                any_of("member_id", [w[0].pk for w in ending]), entity=entity,
                period_start__gte=since,
            )
            .order_by("period_start", "pay_date", "pk")
            .only(
                "member_id", "period_start", "pay_date", "category", "gross", "net_taxable",
                "notes", "lines",
            )
        ):  # fmt: skip
            history.setdefault(payslip.member_id, []).append(payslip)
    for member, _contracts, _category, period_start, exclude_id in ending:
        first = date(period_start.year - 1, 1, 1)
        earlier = [
            p
            for p in history.get(member.pk, [])
            if p.period_start >= first
            and p.pk != exclude_id
            and (
                p.period_start < period_start
                or (p.period_start == period_start and p.pay_date < pay_date)
            )
        ]
        found[member.pk] = _exit_holiday_from(earlier, period_start)
    return found


def _exit_holiday_from(payslips, period_start: date) -> engine.ExitHoliday:
    """The exit pay's inputs from the member's earlier payslips with the entity (oldest
    first)."""
    months_back = period_start.year * 12 + period_start.month - 11
    window_start = date((months_back - 1) // 12, (months_back - 1) % 12 + 1, 1)
    current = previous = taxable = Decimal("0")
    for payslip in payslips:
        exit_taxable = sum(
            (
                Decimal(line["base"])
                for line in payslip.lines
                if line["code"] == "exit_holiday_withholding"
            ),
            Decimal("0"),
        )
        if payslip.period_start >= window_start:
            taxable += payslip.net_taxable - exit_taxable
        if EXIT_HOLIDAY_NOTE in payslip.notes:
            current = previous = Decimal("0")  # covered by that exit pay
        elif payslip.category == engine.WorkerCategory.EMPLOYEE:
            if payslip.period_start.year == period_start.year:
                current += payslip.gross
            else:
                previous += payslip.gross
    return engine.ExitHoliday(
        current_year_gross=max(current, Decimal("0")),
        previous_year_gross=max(previous, Decimal("0")),
        taxable_before=taxable,
    )
