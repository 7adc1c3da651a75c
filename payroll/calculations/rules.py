"""Reading the dated parameters for the engine, and rounding.

`Rules(country, on)` reads `param("<cc>.<name>", on=...)` and remembers each value's legal source
so that every line can name it. A parameter missing on the date stops the computation with
`MissingParameter`, whose message names the parameter and the date: a payslip is never computed
with a rate from another period.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from smartcoop.countries.params import (
    ParameterNotInForce,
    ParameterValue,
    param_entry,
    parameter_tables,
)
from smartcoop.countries.registry import load_pack

from .types import UsedParameter

CENT = Decimal("0.01")


class MissingParameter(LookupError):
    """A parameter the engine needs has no value on the date of the payment."""

    def __init__(self, key: str, on: date) -> None:
        self.key = key
        self.on = on
        super().__init__(f"payroll parameter {key} has no value on {on.isoformat()}")


# The snapshot of a parameter value, made once per process (a pay run reads the same few dozen
# values for every payslip; serialising them each time was half the engine's time).
_SNAPSHOTS: dict[tuple[str, date], tuple[ParameterValue, UsedParameter]] = {}


def _snapshot(key: str, entry: ParameterValue) -> UsedParameter:
    cached = _SNAPSHOTS.get((key, entry.valid_from))
    if cached is not None and cached[0] is entry:
        return cached[1]
    used = UsedParameter(
        key,
        entry.valid_from,
        json.dumps(entry.value, default=str, ensure_ascii=False),
        entry.source,
    )
    _SNAPSHOTS[(key, entry.valid_from)] = (entry, used)
    return used


# Each parameter's value on a date, found once per process: a pay run asks for the same few
# dozen (key, date) pairs for every payslip. The tables are read-only once loaded
# (`parameter_tables()` is cached for the process), so a value found stays true; the cache is
# keyed by the tables object as well, so a reload starts afresh.
_FOUND: dict[tuple[str, date], ParameterValue | None] = {}
_FOUND_TABLES: list[object] = [None]


def lookup(key: str, on: date) -> ParameterValue | None:
    """The value of `key` in force on `on`, or None when it has none (the caller raises
    `MissingParameter` naming both)."""
    tables = parameter_tables()
    if _FOUND_TABLES[0] is not tables:
        _FOUND.clear()
        _FOUND_TABLES[0] = tables
    try:
        return _FOUND[(key, on)]
    except KeyError:
        pass
    try:
        found: ParameterValue | None = param_entry(key, on=on)
    except ParameterNotInForce:
        found = None
    _FOUND[(key, on)] = found
    return found


def snapshots(entries: dict[str, ParameterValue]) -> tuple[UsedParameter, ...]:
    """The snapshot of the parameter values read, in the order of their keys (`Rules.used`)."""
    return tuple(_snapshot(key, entry) for key, entry in sorted(entries.items()))


# The exponent and rounding of each country's money (its pack's), found once.
_MONEY: dict[str, tuple[Decimal, str]] = {}


def money_rule(country: str) -> tuple[Decimal, str]:
    rule = _MONEY.get(country)
    if rule is None:
        pack = load_pack(country)
        rule = _MONEY[country] = (Decimal(1).scaleb(-pack.currency_decimals), pack.rounding)
    return rule


class Rules:
    def __init__(self, country: str, on: date) -> None:
        self.country = country.upper()
        self.prefix = country.lower()
        self.on = on
        self._exponent, self._rounding = money_rule(self.country)
        self._used: dict[str, ParameterValue] = {}

    def entry(self, name: str) -> tuple[Any, str]:
        key = f"{self.prefix}.{name}"
        found = lookup(key, self.on)
        if found is None:
            raise MissingParameter(key, self.on)
        self._used[key] = found
        return found.value, found.source

    def used(self) -> tuple[UsedParameter, ...]:
        """Every parameter value read so far, for the snapshot a payslip keeps."""
        return snapshots(self._used)

    def value(self, name: str) -> Any:
        return self.entry(name)[0]

    def source(self, name: str) -> str:
        return self.entry(name)[1]

    def money(self, amount: Decimal) -> Decimal:
        """Round once, with the pack's precision and rounding mode (half-up to the cent)."""
        return amount.quantize(self._exponent, self._rounding)  # positional: twice as fast


def plans_by_date[P](make: Callable[[date], P | None]) -> Callable[[date], P | None]:
    """A batch engine's month plans (its parameters read once a date), kept until the parameter
    tables are loaded again (tests that change a rate reload them)."""
    plans: dict[date, P | None] = {}
    loaded_from: list[object] = [None]

    def plan(on: date) -> P | None:
        tables = parameter_tables()
        if loaded_from[0] is not tables:
            plans.clear()
            loaded_from[0] = tables
        if on not in plans:
            plans[on] = make(on)
        return plans[on]

    return plan
