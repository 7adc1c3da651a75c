"""What `services.payslip_compute` tells the engines besides the contracts' pay: the worker
category of a contract (with the French executive status), whether a French CDDU is an
intermittent's (annexe 8 or 10), the entity's French work-accident rate, and whether a Belgian
employee's last contract ends with the payment (exit holiday pay).

The rules applied, and why:
- **Intermittents**: every contract type listed in `INTERMITTENT_CONTRACT_TYPES` (the French
  CDDU: the cooperative's CDDU are those of the performing arts and audiovisual sector, the
  contract the law reserves for them, Code du travail D1242-1 6°) is an intermittent's contract.
  Its sector decides the annex: music and the performing arts are artists (annexe 10); every
  other sector (image, sound and stage, audiovisual, costumes, related functions...) is a
  technician (annexe 8), the more frequent case and the one without reduced rates, so an
  unclear sector never lowers contributions. One payslip pays contracts of one kind.
- **AT/MP rate**: the entity's `WorkAccidentRate` in force on the first day of the month paid,
  else the pack's default (`fr.at_mp_default_rate`, the national average), with the note
  `at_mp_default_rate` on the payslip.
- **Last contract ends**: the payslip pays a Belgian employee's contract and the member has no
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

from django.db.models import Q
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from smartcoop.core.errors import ValidationFailed
from smartcoop.core.sectors import Sector
from smartcoop.countries import param
from smartcoop.countries.params import ParameterNotInForce

from . import calculations as engine
from .estimates import CATEGORIES
from .models import Payslip, WorkAccidentRate

INTERMITTENT_CONTRACT_TYPES = frozenset({("FR", "cddu")})
ARTIST_SECTORS = frozenset({Sector.MUSIC, Sector.PERFORMING_LITERARY})
EXIT_HOLIDAY_NOTE = "exit_holiday_pay"


def contract_category(country: str, contract) -> engine.WorkerCategory | None:
    """The engine's worker category of a contract: the type's, and for France the executive
    status recorded on the contract."""
    category = CATEGORIES.get((country, contract.contract_type))
    if category == engine.WorkerCategory.NON_CADRE and contract.cadre:
        return engine.WorkerCategory.CADRE
    return category


def intermittent_of(country: str, contracts) -> engine.Intermittent | None:
    kinds: set[engine.Intermittent | None] = set()
    for contract in contracts:
        if (country, contract.contract_type) not in INTERMITTENT_CONTRACT_TYPES:
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
    with scopes_disabled():
        recorded = (
            WorkAccidentRate.objects.filter(entity=entity, valid_from__lte=on)
            .order_by("-valid_from")
            .values_list("rate", flat=True)
            .first()
        )
    if recorded is not None:
        return recorded, False
    try:
        return param("fr.at_mp_default_rate", on=on), True
    except ParameterNotInForce:
        raise engine.MissingParameter("fr.at_mp_default_rate", on) from None


def exit_holiday_of(
    *, entity, member, contracts, category, period_start: date, pay_date: date, exclude_id
) -> engine.ExitHoliday | None:
    """The exit holiday pay's inputs when this payment ends the member's last contract with the
    entity (module doc), else None."""
    from activities.models import EmploymentContract

    if category != engine.WorkerCategory.EMPLOYEE:
        return None
    last_end = max(c.end_date for c in contracts)
    with scopes_disabled():
        later = (
            EmploymentContract.objects.filter(entity=entity, member=member, end_date__gt=last_end)
            .exclude(status__in=("draft", "cancelled"))
            .exclude(pk__in=[c.pk for c in contracts])
            .exists()
        )
        if later:
            return None
        earlier = (
            Payslip.objects.filter(
                entity=entity, member=member, period_start__gte=date(period_start.year - 1, 1, 1)
            )
            .filter(
                Q(period_start__lt=period_start)
                | Q(period_start=period_start, pay_date__lt=pay_date)
            )
            .order_by("period_start", "pay_date", "pk")
            .only("period_start", "category", "gross", "net_taxable", "notes", "lines")
        )
        if exclude_id:
            earlier = earlier.exclude(pk=exclude_id)
        payslips = list(earlier)
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
