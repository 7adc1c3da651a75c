"""Reading the dated parameters for the engine, and rounding.

`Rules(country, on)` reads `param("<cc>.<name>", on=...)` and remembers each value's legal source
so that every line can name it. A parameter missing on the date stops the computation with
`MissingParameter`, whose message names the parameter and the date: a payslip is never computed
with a rate from another period.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from smartcoop.countries.params import ParameterNotInForce, ParameterValue, param_entry
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


class Rules:
    def __init__(self, country: str, on: date) -> None:
        self.country = country.upper()
        self.prefix = country.lower()
        self.on = on
        pack = load_pack(self.country)
        self._exponent = Decimal(1).scaleb(-pack.currency_decimals)
        self._rounding = pack.rounding
        self._used: dict[str, ParameterValue] = {}

    def entry(self, name: str) -> tuple[Any, str]:
        key = f"{self.prefix}.{name}"
        try:
            found = param_entry(key, on=self.on)
        except ParameterNotInForce:
            raise MissingParameter(key, self.on) from None
        self._used[key] = found
        return found.value, found.source

    def used(self) -> tuple[UsedParameter, ...]:
        """Every parameter value read so far, for the snapshot a payslip keeps."""
        return tuple(_snapshot(key, entry) for key, entry in sorted(self._used.items()))

    def value(self, name: str) -> Any:
        return self.entry(name)[0]

    def source(self, name: str) -> str:
        return self.entry(name)[1]

    def money(self, amount: Decimal) -> Decimal:
        """Round once, with the pack's precision and rounding mode (half-up to the cent)."""
        return amount.quantize(self._exponent, rounding=self._rounding)
