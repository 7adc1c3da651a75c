"""The net estimate of the simulator and the salary preview, computed by the engines.

Registered with activities' hook (`activities.net_estimators`) when the app starts. A contract
type without a salary (the French CAPE) or a date without parameters answers None, and
activities falls back to its flat estimate.

What the estimate assumes: the gross is the month's pay of one contract; without hours it is a
full-time month; without a member, the legal default tax profile (single, no dependants); a
French CDDU is a short contract for the PAS and an intermittent technician's; the member's student hours already used this year
are not counted (the payslip counts them).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from activities.calculations import NetEstimate, NetEstimateLine
from activities.net_estimators import NetEstimateRequest

from . import calculations as engine
from .labels import LINE_LABELS, TAX_CODES

CATEGORIES = {
    ("BE", "employee"): engine.WorkerCategory.EMPLOYEE,
    ("BE", "artistic"): engine.WorkerCategory.ARTIST,
    ("BE", "student"): engine.WorkerCategory.STUDENT,
    ("BE", "temporary_agency"): engine.WorkerCategory.EMPLOYEE,
    ("BE", "open_ended"): engine.WorkerCategory.EMPLOYEE,
    ("FR", "cddu"): engine.WorkerCategory.NON_CADRE,
    ("FR", "cdi"): engine.WorkerCategory.NON_CADRE,
}
FULL_MONTH_HOURS = {"BE": Decimal("164.67"), "FR": Decimal("151.67")}


def _month(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def estimate_net(request: NetEstimateRequest) -> NetEstimate | None:
    category = CATEGORIES.get((request.country, request.contract_type))
    if category is None or request.gross <= 0:
        return None
    start = request.start or request.on
    first, last = _month(start)
    if request.start is None:
        start, end = first, last
    else:
        end = min(request.end or start, last)
    hours = request.hours if request.hours else FULL_MONTH_HOURS[request.country]
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
        short_contract=request.contract_type == "cddu",
        # A CDDU is an intermittent's (payroll.engine_facts); without the contract's sector,
        # a technician: the annexe-8 rates, never lower than an artist's.
        intermittent=engine.Intermittent.TECHNICIAN
        if (request.country, request.contract_type) == ("FR", "cddu")
        else None,
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
