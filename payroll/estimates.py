"""The net estimate of the simulator and the salary preview, computed by the engines.

Registered with activities' hook (`activities.net_estimators`) when the app starts. A contract
type without a salary (the French CAPE) or a date without parameters answers None, and
activities falls back to its flat estimate.

What the estimate assumes: the gross is the month's pay of one contract; without hours it is a
full-time month (`CountryPack.full_month_hours`); without a member, the legal default tax
profile (single, no dependants); an intermittent's contract type (`ContractType.intermittent`:
the French CDDU) is a short contract for the PAS and an intermittent technician's; the member's
student hours already used this year are not counted (the payslip counts them). The worker
category is the contract type's (`ContractType.worker_category`).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from activities.calculations import NetEstimate, NetEstimateLine
from activities.net_estimators import NetEstimateRequest
from smartcoop.countries import pack_of_country

from . import calculations as engine
from .labels import LINE_LABELS, TAX_CODES


def contract_type_category(country: str, contract_type: str) -> engine.WorkerCategory | None:
    """The engine's worker category of a contract type, as the country's pack states it
    (`ContractType.worker_category`); None: not paid by a payslip (or no such type)."""
    found = contract_type_of(country, contract_type)
    if found is None or not found.worker_category:
        return None
    return engine.WorkerCategory(found.worker_category)


def contract_type_of(country: str, code: str):
    pack = pack_of_country(country)
    if pack is None:
        return None
    try:
        return pack.contract_type(code)
    except KeyError:
        return None


def _month(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def estimate_net(request: NetEstimateRequest) -> NetEstimate | None:
    contract_type = contract_type_of(request.country, request.contract_type)
    category = contract_type_category(request.country, request.contract_type)
    if contract_type is None or category is None or request.gross <= 0:
        return None
    start = request.start or request.on
    first, last = _month(start)
    if request.start is None:
        start, end = first, last
    else:
        end = min(request.end or start, last)
    hours = request.hours or pack_of_country(request.country).full_month_hours  # type: ignore[union-attr]
    profile = engine.DEFAULT_TAX_PROFILE
    if request.member is not None:
        from .selectors import tax_profile_at

        profile = tax_profile_at(member=request.member, on=start)
    pay = engine.PayInput(
        country=request.country,
        category=category,
        period_start=first,
        period_end=last,
        contracts=(engine.ContractPay("estimate", request.gross, hours, start, end),),
        tax_profile=profile,
        at_mp_rate=Decimal("0"),  # an employer cost: it never changes the worker's net
        short_contract=contract_type.intermittent,
        # An intermittent's contract (a French CDDU, payroll.engine_facts); without the
        # contract's sector, a technician: the annexe-8 rates, never lower than an artist's.
        intermittent=engine.Intermittent.TECHNICIAN if contract_type.intermittent else None,
    )
    try:
        result = engine.compute_pay(pay)
    except (engine.MissingParameter, ValueError):
        return None
    lines = tuple(
        NetEstimateLine(
            line.code,
            str(LINE_LABELS.get(line.code, line.code)),
            line.base,
            line.rate,
            line.amount,
        )
        for line in result.employee_lines
    )
    withholding = sum((x.amount for x in lines if x.code in TAX_CODES), Decimal("0.00"))
    contributions = result.employee_deductions - withholding
    return NetEstimate(result.gross, contributions, withholding, result.net_pay, lines)
