"""Gross -> net engines (pure: no ORM, no I/O besides the dated parameter tables).

`compute_pay(PayInput) -> PayResult` dispatches on the country. Belgium: `be.py`; France:
`fr.py`. Every rate, ceiling, scale and bonus is a dated parameter of the country pack
(`smartcoop/countries/<cc>/params/payroll.yaml`); one missing on the date raises
`MissingParameter` naming it and the date.
"""

from __future__ import annotations

from . import be, fr
from .rules import MissingParameter
from .types import (
    BE_CATEGORIES,
    DEFAULT_TAX_PROFILE,
    FR_CATEGORIES,
    ArtistCostsGroup,
    ContractPay,
    ExitHoliday,
    Intermittent,
    Line,
    MaritalStatus,
    PayInput,
    PayResult,
    Side,
    TaxProfile,
    UsedParameter,
    WorkerCategory,
    YearToDate,
)

__all__ = [
    "DEFAULT_TAX_PROFILE",
    "ArtistCostsGroup",
    "ContractPay",
    "ExitHoliday",
    "Intermittent",
    "Line",
    "MaritalStatus",
    "MissingParameter",
    "PayInput",
    "PayResult",
    "Side",
    "TaxProfile",
    "UsedParameter",
    "WorkerCategory",
    "YearToDate",
    "compute_pay",
]


def compute_pay(pay: PayInput) -> PayResult:
    country = pay.country.upper()
    if country == "BE":
        if pay.category not in BE_CATEGORIES:
            raise ValueError(f"{pay.category} is not a Belgian worker category")
        return be.compute(pay)
    if country == "FR":
        if pay.category not in FR_CATEGORIES:
            raise ValueError(f"{pay.category} is not a French worker category")
        return fr.compute(pay)
    raise ValueError(f"no payroll engine for {country}")
