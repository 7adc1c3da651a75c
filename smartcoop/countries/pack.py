"""What a country pack is. Each `smartcoop/countries/<cc>/__init__.py` defines `PACK`."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise

from .params import param


class IdentifierKind(enum.StrEnum):
    NATIONAL_NUMBER = "national_number"
    ENTERPRISE_NUMBER = "enterprise_number"
    VAT_NUMBER = "vat_number"
    EMPLOYER_NUMBER = "employer_number"


@dataclass(frozen=True)
class Identifier:
    """A national identifier: `validate` returns the compact form or raises ValueError (message)."""

    kind: IdentifierKind
    label: str | Promise
    validate: Callable[[str], str]
    format: Callable[[str], str]
    example: str


@dataclass(frozen=True)
class ShareCategory:
    code: str
    label: str | Promise
    default: bool = False
    # Legal persons may hold shares of this category (Belgium: C).
    for_legal_persons: bool = False


@dataclass(frozen=True)
class ContractType:
    code: str
    label: str | Promise
    # Parameter holding the employer-cost coefficient (work budget = gross x coefficient).
    coefficient_param: str
    # The entity kind that employs under this type (e.g. temporary agency contracts: Interimpaleis).
    monthly_salary: bool = False

    def coefficient(self, on: date) -> Decimal:
        return param(self.coefficient_param, on=on)


@dataclass(frozen=True)
class CountryPack:
    code: str
    name: str | Promise
    currency: str
    languages: tuple[str, ...]
    timezone: str
    identifiers: dict[IdentifierKind, Identifier]
    share_categories: tuple[ShareCategory, ...]
    contract_types: tuple[ContractType, ...]
    # Management tools enabled: "contract" (performance -> invoice + contract), "activity".
    tools: tuple[str, ...] = ("activity",)
    currency_decimals: int = 2
    rounding: str = ROUND_HALF_UP
    # A partial pack holds only what the seed gives (fee, terms, share price, currency).
    partial: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.code.lower()

    def param(self, name: str, *, on: date) -> Any:
        return param(f"{self.prefix}.{name}", on=on)

    def fee_rate(self, on: date) -> Decimal:
        return self.param("fee_rate", on=on)

    def share_price(self, on: date) -> Decimal:
        return self.param("share_price", on=on)

    def wage_payment_rule(self, on: date) -> str:
        return self.param("wage_payment_rule", on=on)

    def identifier(self, kind: IdentifierKind) -> Identifier | None:
        return self.identifiers.get(kind)

    def contract_type(self, code: str) -> ContractType:
        for contract_type in self.contract_types:
            if contract_type.code == code:
                return contract_type
        raise KeyError(f"{self.code} has no contract type {code!r}")

    def default_share_category(self) -> ShareCategory:
        return next(c for c in self.share_categories if c.default)
