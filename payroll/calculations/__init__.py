"""Gross -> net engines (pure: no ORM, no I/O besides the dated parameter tables).

`compute_pay(PayInput) -> PayResult` runs the engine the country's pack names
(`CountryPack.payroll_engine`, `payroll_batch_engine`). Belgium: `be.py`; France: `fr.py`.
An engine module lists the worker categories it computes (`CATEGORIES`) and has `compute(pay)`;
a batch module has `plan(month)` and `compute(pay, plan)`, and may compute a month's payments
together (`compute_all(pays, plan)`). Every rate, ceiling, scale and bonus is a dated parameter of the country pack
(`smartcoop/countries/<cc>/params/payroll.yaml`); one missing on the date raises
`MissingParameter` naming it and the date.

`be.compute` and `fr.compute` are the reference: one payment, every parameter read and every
source written as the rule says. `compute_pay` and `compute_many` run the batch engines
(`be_batch.py`, `fr_batch.py`): the same results to the cent, line for line, with the same
sources and parameter snapshot (tests/payroll/test_batch.py), from the parameters of each
month read once per process; `compute_pay_reference` runs the reference.
"""

from __future__ import annotations

import functools
import gc
import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import Literal, overload

from smartcoop.countries import pack_of_country

from .rules import MissingParameter
from .types import (
    DEFAULT_TAX_PROFILE,
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


@functools.cache
def _engines(country: str) -> tuple[ModuleType, ModuleType]:
    """The reference and batch engine modules the country's pack names."""
    pack = pack_of_country(country)
    if pack is None or not pack.payroll_engine:
        raise ValueError(f"no payroll engine for {country}")
    return (
        importlib.import_module(f"{__name__}.{pack.payroll_engine}"),
        importlib.import_module(f"{__name__}.{pack.payroll_batch_engine or pack.payroll_engine}"),
    )


def _check(pay: PayInput) -> tuple[ModuleType, ModuleType]:
    """The engines of the payment's country, once the worker category is one they compute."""
    country = pay.country.upper()
    reference, batch = _engines(country)
    if pay.category not in reference.CATEGORIES:
        raise ValueError(f"{pay.category} is not a worker category of {country}")
    return reference, batch


def compute_pay_reference(pay: PayInput) -> PayResult:
    """One payment by the reference engine of its country (`be.compute`, `fr.compute`)."""
    reference, _batch = _check(pay)
    return reference.compute(pay)


def compute_pay(pay: PayInput) -> PayResult:
    """One payment: the batch engine for one (equal to `compute_pay_reference`)."""
    _reference, batch = _check(pay)
    return batch.compute(pay, batch.plan(pay.period_start))


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

    The parameters of each (country, month) are read once; the payments of a month whose batch
    engine has `compute_all` (France: column by column, `fr_batch.compute_all`: integer-cent
    columns, the results made from them) are computed together. A payment the engine refuses
    raises its `MissingParameter` or `ValueError` (the first in the order given); with `keep_errors=True` the error takes the
    payment's place in the list and the others are still computed (a pay run reports each).
    The cyclic garbage collector is paused while the results are built (they hold no cycles:
    frozen dataclasses of Decimals and strings), which halves the time of a month's batch.
    """
    plans: dict[object, object] = {}
    results: list[PayResult | MissingParameter | ValueError] = []
    # computed together, by engine and month: positions, payments
    together: dict[tuple[ModuleType, object], tuple[list[int], list[PayInput]]] = {}
    stopped: MissingParameter | ValueError | None = None
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        for pay in pays:
            try:
                _reference, batch = _check(pay)
                if hasattr(batch, "compute_all"):  # computed together, month by month, below
                    positions, payments = together.setdefault((batch, pay.period_start), ([], []))
                    positions.append(len(results))
                    payments.append(pay)
                    results.append(None)  # type: ignore[arg-type]
                    continue
                key = (batch, pay.period_start)
                if key not in plans:
                    plans[key] = batch.plan(pay.period_start)
                results.append(batch.compute(pay, plans[key]))
            except (MissingParameter, ValueError) as error:
                if not keep_errors:
                    stopped = error  # raised unless a payment computed together fails too
                    break
                results.append(error)
        for (batch, on), (positions, payments) in together.items():
            computed = batch.compute_all(payments, batch.plan(on))
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
