import calendar
from datetime import date
from decimal import Decimal

from payroll.calculations import (
    DEFAULT_TAX_PROFILE,
    ContractPay,
    PayInput,
    TaxProfile,
    WorkerCategory,
    YearToDate,
)


def month(year: int, number: int) -> tuple[date, date]:
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def pay(
    country: str,
    category: WorkerCategory,
    gross: str,
    hours: str,
    *,
    start: date,
    end: date | None = None,
    profile: TaxProfile = DEFAULT_TAX_PROFILE,
    student_hours_used: str = "0",
    **extra,
) -> PayInput:
    first, last = month(start.year, start.month)
    return PayInput(
        country=country,
        category=category,
        period_start=first,
        period_end=last,
        contracts=(ContractPay("C-1", Decimal(gross), Decimal(hours), start, end or start),),
        tax_profile=profile,
        year_to_date=YearToDate(Decimal(student_hours_used)),
        **extra,
    )
