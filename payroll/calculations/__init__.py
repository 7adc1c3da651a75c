"""Gross -> net engines (pure: no ORM, no I/O besides the dated parameter tables).

`compute_pay(PayInput) -> PayResult` dispatches on the country. Belgium: `be.py`; France:
`fr.py`. Every rate, ceiling, scale and bonus is a dated parameter of the country pack
(`smartcoop/countries/<cc>/params/payroll.yaml`); one missing on the date raises
`MissingParameter` naming it and the date.

`be.compute` and `fr.compute` are the reference: one payment, every parameter read and every
source written as the rule says. `compute_pay` and `compute_many` run the batch engines
(`be_batch.py`, `fr_batch.py`): the same results to the cent, line for line, with the same
sources and parameter snapshot (tests/payroll/test_batch.py), from the parameters of each
month read once per process; `compute_pay_reference` runs the reference.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import Literal, overload

from . import be, be_batch, fr, fr_batch
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
    "compute_many",
    "compute_pay",
    "compute_pay_reference",
]


def _check(pay: PayInput) -> str:
    country = pay.country.upper()
    if country == "BE":
        if pay.category not in BE_CATEGORIES:
            raise ValueError(f"{pay.category} is not a Belgian worker category")
    elif country == "FR":
        if pay.category not in FR_CATEGORIES:
            raise ValueError(f"{pay.category} is not a French worker category")
    else:
        raise ValueError(f"no payroll engine for {country}")
    return country


def compute_pay_reference(pay: PayInput) -> PayResult:
    """One payment by the reference engines (`be.compute`, `fr.compute`)."""
    if _check(pay) == "BE":
        return be.compute(pay)
    return fr.compute(pay)


def compute_pay(pay: PayInput) -> PayResult:
    """One payment: the batch engine for one (equal to `compute_pay_reference`)."""
    if _check(pay) == "BE":
        return be_batch.compute(pay, be_batch.plan(pay.period_start))
    return fr_batch.compute(pay, fr_batch.plan(pay.period_start))


@overload
def compute_many(
    pays: Iterable[PayInput], *, keep_errors: Literal[False] = False
) -> list[PayResult]: ...
@overload
def compute_many(
    pays: Iterable[PayInput], *, keep_errors: Literal[True]
) -> list[PayResult | MissingParameter | ValueError]: ...
def compute_many(
    pays: Iterable[PayInput], *, keep_errors: bool = False
) -> list[PayResult] | list[PayResult | MissingParameter | ValueError]:
    """Many payments, in the order given; each result equals `compute_pay` of that payment.

    The parameters of each (country, month) are read once; the French payments of a month are
    computed together, column by column (`fr_batch.compute_all`). A payment the engine refuses
    raises its `MissingParameter` or `ValueError` (the first in the order given); with `keep_errors=True` the error takes the
    payment's place in the list and the others are still computed (a pay run reports each).
    The cyclic garbage collector is paused while the results are built (they hold no cycles:
    frozen dataclasses of Decimals and strings), which halves the time of a month's batch.
    """
    plans: dict[object, object] = {}
    results: list[PayResult | MissingParameter | ValueError] = []
    french: dict[object, tuple[list[int], list[PayInput]]] = {}  # by month: positions, payments
    stopped: MissingParameter | ValueError | None = None
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        for pay in pays:
            try:
                if _check(pay) == "FR":  # computed together, month by month, below
                    positions, payments = french.setdefault(pay.period_start, ([], []))
                    positions.append(len(results))
                    payments.append(pay)
                    results.append(None)  # type: ignore[arg-type]
                    continue
                if pay.period_start not in plans:
                    plans[pay.period_start] = be_batch.plan(pay.period_start)
                results.append(be_batch.compute(pay, plans[pay.period_start]))  # type: ignore[arg-type]
            except (MissingParameter, ValueError) as error:
                if not keep_errors:
                    stopped = error  # raised unless a French payment before it fails too
                    break
                results.append(error)
        for on, (positions, payments) in french.items():
            computed = fr_batch.compute_all(payments, fr_batch.plan(on))  # type: ignore[arg-type]
            for position, result in zip(positions, computed, strict=True):
                results[position] = result
        if not keep_errors:
            for result in results:
                if isinstance(result, (MissingParameter, ValueError)):
                    raise result
            if stopped is not None:
                raise stopped
    finally:
        if paused:
            gc.enable()
    return results
