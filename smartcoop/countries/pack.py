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
    # The payroll engine's worker category of the type (a `payroll.calculations.WorkerCategory`
    # value; France: "non_cadre", the executive status of a contract makes it "cadre"). Empty: the
    # engine has no category for it (no salary), the simulator keeps its flat estimate.
    worker_category: str = ""
    # An intermittent's contract (the French CDDU of the performing arts and audiovisual sector):
    # its sector picks the unemployment annex (8 or 10), and the simulator treats it as a short
    # contract for the withholding tax.
    intermittent: bool = False

    def coefficient(self, on: date) -> Decimal:
        return param(self.coefficient_param, on=on)


@dataclass(frozen=True)
class PayslipRow:
    """One row of a payslip grouped by risk: the employee's and the employer's line of the same
    contribution side by side (either may be absent on a given payslip, or in general)."""

    # The engine's line codes (`payroll.calculations` `Line.code`); empty: no such part.
    employee: str = ""
    employer: str = ""
    # The row's wording (a msgid); empty: the label of the line (payroll/labels.py).
    label: str = ""


@dataclass(frozen=True)
class PayslipHeading:
    """A risk heading of the payslip (France: the "bulletin de paie clarifié" of the arrêté of
    25 February 2016) and the rows printed under it, in order. A heading none of whose lines is
    on the payslip is not printed."""

    label: str  # a msgid, translated by the document
    rows: tuple[PayslipRow, ...]
    # The amounts of its one row printed on the heading's own line (e.g. "Famille").
    inline: bool = False


@dataclass(frozen=True)
class PayslipLayout:
    """What a country's payslip prints besides its lines and totals (payroll/documents)."""

    # The labels of the entity's enterprise and employer numbers: msgids (`gettext_noop`), the
    # document translates them into the worker's language.
    enterprise_number_label: str
    employer_number_label: str
    # The closing mention (a msgid, translated by the document).
    mention: str
    # The nets the law asks for under the totals (France: net social, net before income tax,
    # the withholding with its rate and base, net taxable).
    net_breakdown: bool = False
    # The joint committees of the contracts paid, among the facts (Belgium).
    joint_committees: bool = False
    # The contributions grouped by risk, employee and employer parts in one row (France); empty:
    # the worker's lines and the employer's lines in two tables (Belgium). A line whose code no
    # row names is printed under `other_heading`.
    contribution_headings: tuple[PayslipHeading, ...] = ()
    other_heading: str = ""


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
    # Contracts fall under a joint committee (Belgium: paritair comité / commission paritaire):
    # the dated parameter giving the one of each contract type by default (a table type ->
    # "200"); staff may change it on the draft contract. Empty: the country has none (France).
    joint_committee_param: str = ""
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
    # Payroll: the engine modules of `payroll.calculations` that compute the country's pay (the
    # reference, e.g. "be", and the batch engine, e.g. "be_batch"); empty: no payroll engine.
    payroll_engine: str = ""
    payroll_batch_engine: str = ""
    # The hours of a full-time month, assumed by the simulator's net estimate when a contract
    # states none (BE 38 h x 52 / 12; FR the legal 35 h x 52 / 12).
    full_month_hours: Decimal = Decimal("0")
    # Workers choose a personalised withholding rate given by the tax administration (French PAS)
    # and employers record a dated work-accident rate (French AT/MP, the pack's parameter
    # `at_mp_default_rate` without one): the forms and pages of both.
    personalised_withholding_rate: bool = False
    work_accident_rates: bool = False
    # An employee's last contract ends with the exit holiday pay (Belgium: vakantiegeld bij
    # uitdiensttreding), computed from the history of the member's payslips with the entity.
    exit_holiday_pay: bool = False
    # What the payslip PDF prints besides its lines; None: no payslip layout.
    payslip: PayslipLayout | None = None
    # Declarations: the kind (`declarations.models.Declaration.Kind`) of the declaration every
    # validated contract gets ("dimona_in": Belgium's Dimona, "dpae": France's DPAE; empty: none
    # filed here) and the periodic ones the entities file ("dmfa", "belcotax_28110", "dsn").
    hiring_declaration: str = ""
    periodic_declarations: tuple[str, ...] = ()
    # The regions key figures count members in, from their postcode: a postcode of the pack's
    # country matching `postcode_pattern` is read as a number and falls in the first
    # (region, lowest, highest) range holding it. Empty: members are counted by country.
    postcode_pattern: str = ""
    postcode_regions: tuple[tuple[str, int, int], ...] = ()
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

    def default_joint_committee(self, code: str, *, on: date) -> str:
        """The joint committee a new contract of this type falls under on `on` when none is
        given; "" where the pack has no joint committees or names none for the type."""
        if not self.joint_committee_param:
            return ""
        return str(param(self.joint_committee_param, on=on, default={}).get(code, ""))

    def executive_status_for(self, code: str) -> bool:
        """Whether a contract of this type can be an executive's (cadre): the pack has the
        status and the type pays a salary (a French CAPE pays none)."""
        if not self.executive_status:
            return False
        try:
            return self.contract_type(code).pays_salary
        except KeyError:
            return False

    def files(self, kind: str) -> bool:
        """Whether the pack's entities file declarations of this kind (a hiring or periodic
        one, `declarations.models.Declaration.Kind`)."""
        return bool(kind) and (
            kind == self.hiring_declaration or kind in self.periodic_declarations
        )

    def default_share_category(self) -> ShareCategory:
        return next(c for c in self.share_categories if c.default)
