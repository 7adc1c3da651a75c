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
    # The net estimate of the simulator (never a payslip): the parameters holding the personal
    # contribution rate, the base it applies to (a factor of the gross, 1 without one) and the
    # flat withholding rate. Empty: none (e.g. a business-support contract pays no salary).
    estimate_contribution_param: str = ""
    estimate_contribution_base_param: str = ""
    estimate_withholding_param: str = ""
    # A yearly quota of hours per person (Belgian students: 650 h), warned about when exceeded.
    yearly_hours_quota_param: str = ""
    # False for a contract under which no salary is paid (the French CAPE): no executive status.
    pays_salary: bool = True

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
    # Contracts carry an executive (cadre) status that changes the contributions (France).
    executive_status: bool = False
    # A partial pack holds only what the seed gives (fee, terms, share price, currency).
    partial: bool = False
    # The ISO 6523 scheme (Peppol EAS) of the country's enterprise number, for the sender of an
    # e-invoice and its legal registration (BE 0208 KBO/BCE, FR 0002 SIREN); empty: unknown.
    enterprise_number_scheme: str = ""
    # A company's VAT number is the country code + its enterprise number (Belgium), so the one
    # gives the other when a client only states its VAT number.
    vat_number_holds_enterprise_number: bool = False
    # Companies of the country are Peppol participants under their enterprise number (Belgium:
    # Peppol is the domestic B2B channel), so a client company gets that electronic address.
    peppol_by_enterprise_number: bool = False
    # Which legal references the VAT mentions of invoices cite (the texts are translated in
    # invoicing/vat.py): "be_vat_code" (Belgian VAT Code), "fr_cgi" (French General Tax Code).
    vat_mentions: str = "be_vat_code"
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

    def executive_status_for(self, code: str) -> bool:
        """Whether a contract of this type can be an executive's (cadre): the pack has the
        status and the type pays a salary (a French CAPE pays none)."""
        if not self.executive_status:
            return False
        try:
            return self.contract_type(code).pays_salary
        except KeyError:
            return False

    def default_share_category(self) -> ShareCategory:
        return next(c for c in self.share_categories if c.default)
