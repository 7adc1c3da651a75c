"""The engine's inputs and results: frozen dataclasses of Decimals, no ORM.

One `PayInput` is one payment of one worker by one employer for one calendar month: the contracts
it pays (all of the same worker category), the worker's tax profile as it stood on the pay date,
and the year-to-date figures the rules need (student hours already counted against the yearly
quota, in every contract and entity of the year). The result lists one `Line` per component with
its base, rate, amount, side and the legal source of the parameter that fixed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

ZERO = Decimal("0.00")


class WorkerCategory(StrEnum):
    EMPLOYEE = "employee"  # BE white-collar (bediende / employé)
    MANUAL_WORKER = "manual_worker"  # BE arbeider / ouvrier: SSC on 108 %
    ARTIST = "artist"  # BE artist under an employment contract: SSC on 108 %
    STUDENT = "student"  # BE student contract: solidarity contribution within the quota
    NON_CADRE = "non_cadre"  # FR
    CADRE = "cadre"  # FR: APEC


BE_CATEGORIES = frozenset(
    {
        WorkerCategory.EMPLOYEE,
        WorkerCategory.MANUAL_WORKER,
        WorkerCategory.ARTIST,
        WorkerCategory.STUDENT,
    }
)
FR_CATEGORIES = frozenset({WorkerCategory.NON_CADRE, WorkerCategory.CADRE})


class Intermittent(StrEnum):
    """France: a CDDU of the performing arts. Annexe 8 of the unemployment rules covers workers
    and technicians, annexe 10 the performing artists (who also get the reduced rates)."""

    TECHNICIAN = "technician"  # annexe 8
    ARTIST = "artist"  # annexe 10


class ArtistCostsGroup(StrEnum):
    """France: the artists' lump-sum deduction for professional costs (DFS), by profession:
    its initial rate, phased out from 2024 (RULES Part II §5.2)."""

    DRAMATIC = "dramatic"  # dramatic, lyric, cinematographic, choreographic artists (initial 25 %)
    MUSICIAN = "musician"  # musicians, choristers, conductors, stage managers (initial 20 %)


class MaritalStatus(StrEnum):
    SINGLE = "single"  # also divorced, widowed, separated: taxed alone
    COUPLE = "couple"  # married or legally cohabiting


class Side(StrEnum):
    EMPLOYEE = "employee"
    EMPLOYER = "employer"
    # Pay added to the contracts' gross (BE exit holiday pay): part of the result's gross.
    EARNING = "earning"


@dataclass(frozen=True)
class TaxProfile:
    """What withholding needs to know about the worker's household. `is_default` marks the legal
    default (single, no dependants) used when the member has not completed the profile."""

    marital_status: MaritalStatus = MaritalStatus.SINGLE
    partner_has_income: bool = False
    dependent_children: int = 0
    disabled_children: int = 0  # of the dependent children; each counts twice (CIR 92 art. 132)
    other_dependants: int = 0
    disabled: bool = False
    fr_pas_rate: Decimal | None = None  # personalised rate sent by the DGFiP (0.075 = 7.5 %)
    is_default: bool = False

    def __post_init__(self) -> None:
        if min(self.dependent_children, self.disabled_children, self.other_dependants) < 0:
            raise ValueError("numbers of dependants cannot be negative")
        if self.disabled_children > self.dependent_children:
            raise ValueError("disabled children are counted among the dependent children")
        if self.fr_pas_rate is not None and not (0 <= self.fr_pas_rate <= 1):
            raise ValueError("a withholding rate is between 0 and 1")

    @property
    def single_parent(self) -> bool:
        return self.marital_status == MaritalStatus.SINGLE and self.dependent_children > 0


DEFAULT_TAX_PROFILE = TaxProfile(is_default=True)


@dataclass(frozen=True)
class ContractPay:
    """The part of one contract paid in this payment."""

    reference: str  # the contract's number: a stable tie-break when two contracts start together
    gross: Decimal
    hours: Decimal
    start: date
    end: date

    def __post_init__(self) -> None:
        if isinstance(self.gross, float) or isinstance(self.hours, float):
            raise TypeError("money and hours are Decimal, never float")
        if self.gross < 0 or self.hours < 0:
            raise ValueError("gross and hours cannot be negative")
        if self.end < self.start:
            raise ValueError("a contract cannot end before it starts")


@dataclass(frozen=True)
class YearToDate:
    student_hours: Decimal = Decimal("0")  # hours already counted against the student quota


@dataclass(frozen=True)
class ExitHoliday:
    """Belgium: the worker's last contract with the employer ends with this payment, so the
    employer pays the exit holiday pay (employees only). The caller gives what the payment alone
    does not show; the engine adds this payment's own gross and taxable pay."""

    # Gross earned with this employer before this payment and not yet covered by an exit holiday
    # pay: in the year of the exit, and in the previous year (holidays not yet taken).
    current_year_gross: Decimal = Decimal("0")
    previous_year_gross: Decimal = Decimal("0")
    # Taxable pay with this employer in the 11 months before this one (no exceptional pay):
    # with this month's, the annual taxable pay that picks the withholding rate.
    taxable_before: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        values = (self.current_year_gross, self.previous_year_gross, self.taxable_before)
        if any(isinstance(v, float) for v in values):
            raise TypeError("money is Decimal, never float")
        if min(self.current_year_gross, self.previous_year_gross) < 0:
            raise ValueError("earlier gross cannot be negative")


@dataclass(frozen=True)
class PayInput:
    country: str  # the code of a pack with a payroll engine ("BE", "FR")
    category: WorkerCategory
    period_start: date  # first day of the month paid
    period_end: date  # last day of the month paid
    contracts: tuple[ContractPay, ...]
    tax_profile: TaxProfile = DEFAULT_TAX_PROFILE
    year_to_date: YearToDate = field(default_factory=YearToDate)
    # France: facts of the employer and the contract
    employer_headcount: int = 1  # FNAL and réduction générale depend on "< 50 staff"
    at_mp_rate: Decimal | None = None  # work-accident rate notified by the CARSAT
    part_time_ratio: Decimal | None = None  # contractual hours / full time; None = full time
    short_contract: bool = False  # FR PAS: initial term of at most two months
    intermittent: Intermittent | None = None  # FR: a CDDU of the performing arts
    artist_costs: ArtistCostsGroup | None = None  # FR: DFS, only with the artist's consent
    exit_holiday: ExitHoliday | None = None  # BE: the last contract ends with this payment

    def __post_init__(self) -> None:
        if not self.contracts:
            raise ValueError("a payment pays at least one contract")
        if self.period_end < self.period_start:
            raise ValueError("the period ends before it starts")
        if self.artist_costs is not None and self.intermittent != Intermittent.ARTIST:
            raise ValueError("the artists' lump-sum deduction is for performing artists only")

    @property
    def on(self) -> date:
        """The date whose parameters apply: rules in force during the month paid."""
        return self.period_start

    @property
    def gross(self) -> Decimal:
        return sum((c.gross for c in self.contracts), ZERO)

    @property
    def hours(self) -> Decimal:
        return sum((c.hours for c in self.contracts), Decimal("0"))


class Line(NamedTuple):
    """One component. `amount` is what the side pays: a deduction from the worker's gross
    (employee side) or a cost to the employer; a reduction (work bonus, réduction générale) is a
    negative amount. `rate` is None when the amount is not base x rate (a scale, a formula).

    A named tuple rather than a frozen dataclass: as immutable, and made ten times faster (a
    month's pay run makes a quarter of a million of them)."""

    code: str
    label_key: str
    base: Decimal
    rate: Decimal | None
    amount: Decimal
    side: Side
    source: str


@dataclass(frozen=True)
class UsedParameter:
    """A parameter value the computation read: what a payslip snapshots."""

    key: str
    valid_from: date
    value: str  # JSON of the value (decimals as strings)
    source: str


@dataclass(frozen=True)
class PayResult:
    country: str
    category: WorkerCategory
    gross: Decimal  # the contracts' gross plus any earning line (BE exit holiday pay)
    lines: tuple[Line, ...]
    net_taxable: Decimal  # BE: taxable pay; FR: net imposable
    net_social: Decimal  # pay before income tax (FR: montant net social)
    net_pay: Decimal  # paid to the worker
    student_hours_in_quota: Decimal = Decimal("0")
    student_hours_beyond_quota: Decimal = Decimal("0")
    notes: tuple[str, ...] = ()
    parameters: tuple[UsedParameter, ...] = ()

    @property
    def employee_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.side == Side.EMPLOYEE)

    @property
    def employer_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.side == Side.EMPLOYER)

    @property
    def earning_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.side == Side.EARNING)

    @property
    def employee_deductions(self) -> Decimal:
        return sum((line.amount for line in self.employee_lines), ZERO)

    @property
    def employer_contributions(self) -> Decimal:
        return sum((line.amount for line in self.employer_lines), ZERO)

    @property
    def employer_cost(self) -> Decimal:
        return self.gross + self.employer_contributions

    def line(self, code: str) -> Line | None:
        for line in self.lines:
            if line.code == code:
                return line
        return None

    def amount(self, code: str) -> Decimal:
        line = self.line(code)
        return line.amount if line else ZERO


# Building lines and results in bulk (the batch engines).
_new_object = object.__new__
_new_tuple = tuple.__new__

LineTemplate = tuple[str, str, Decimal | None, Side, str]


def line_template(
    code: str, rate: Decimal | None, side: Side, source: str, label_key: str = ""
) -> LineTemplate:
    """The fields of a line but its base and amount (given to `line_from`)."""
    return (code, label_key or f"payroll.line.{code}", rate, side, source)


def line_from(template: LineTemplate, base: Decimal, amount: Decimal) -> Line:
    """`Line(code, label_key, base, rate, amount, side, source)` from a template."""
    code, label_key, rate, side, source = template
    return _new_tuple(Line, (code, label_key, base, rate, amount, side, source))


def result_from(
    *,
    country: str,
    category: WorkerCategory,
    gross: Decimal,
    lines: tuple[Line, ...],
    net_taxable: Decimal,
    net_social: Decimal,
    net_pay: Decimal,
    notes: tuple[str, ...],
    parameters: tuple[UsedParameter, ...],
) -> PayResult:
    """`PayResult(...)` (no student hours) for the batch engines: the frozen dataclass's
    __init__ sets each field through object.__setattr__; this fills the same fields in the same
    order (the same object: equal, hashable, picklable)."""
    result: PayResult = _new_object(PayResult)
    result.__dict__.update(
        country=country,
        category=category,
        gross=gross,
        lines=lines,
        net_taxable=net_taxable,
        net_social=net_social,
        net_pay=net_pay,
        student_hours_in_quota=_NO_HOURS,
        student_hours_beyond_quota=_NO_HOURS,
        notes=notes,
        parameters=parameters,
    )
    return result


_NO_HOURS = Decimal("0")
