"""A hook for the net estimate of the simulator and the salary preview.

Activities knows no payslip: the payroll app registers its gross -> net engine here
(`register_net_estimator`), and `net_estimate_for` asks it, with the member's tax profile when
a member is known. When no engine is registered, or the engine has no parameters for the date
(it answers None), the flat-rate estimate of `activities.yaml` is used instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class NetEstimateRequest:
    country: str
    contract_type: str
    gross: Decimal
    on: date
    hours: Decimal | None = None  # None: one month's pay of a full-time worker
    start: date | None = None
    end: date | None = None
    member: Any = None  # None: the legal default tax profile (single, no dependants)


NetEstimator = Callable[[NetEstimateRequest], Any]  # -> calculations.NetEstimate | None

_estimators: list[NetEstimator] = []


def register_net_estimator(estimator: NetEstimator) -> None:
    if estimator not in _estimators:
        _estimators.append(estimator)


def net_estimate_for(
    *,
    pack,
    contract_type: str,
    gross: Decimal,
    on: date,
    hours: Decimal | None = None,
    start: date | None = None,
    end: date | None = None,
    member=None,
):
    from . import calculations

    request = NetEstimateRequest(pack.code, contract_type, gross, on, hours, start, end, member)
    for estimator in _estimators:
        estimate = estimator(request)
        if estimate is not None:
            return estimate
    return calculations.estimate_net(
        gross=gross,
        rates=calculations.net_estimate_rates(pack=pack, contract_type=contract_type, on=on),
    )
