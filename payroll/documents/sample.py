"""A payslip held in memory (no database), computed by the engines: for the benchmark, the
document tests and looking at the layout (`python -m payroll.documents.sample be nl out.pdf`;
add `exit` for a Belgian last contract with its exit holiday pay)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .render import Party, PayslipFacts, payslip_layout


@dataclass
class SamplePayslip:
    entity_id: int
    pay_date: date
    period_start: date
    period_end: date
    category: str
    gross: Decimal
    employee_deductions: Decimal
    net_taxable: Decimal
    net_social: Decimal
    net_pay: Decimal
    employer_contributions: Decimal
    employer_cost: Decimal
    lines: list
    notes: list
    reference: str = "P2026-000042"
    corrects_id: int | None = None
    corrects: object = None
    tax_profile: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Sample:
    """The demo employer and worker of a country's sample payslip (made-up numbers)."""

    category: str  # a worker category with many lines (a French cadre, a Belgian employee)
    employer_headcount: int
    employer: Party
    enterprise_number: str
    employer_number: str
    joint_committees: tuple[str, ...] = ()


_SAMPLES = {
    "BE": _Sample(
        "employee",
        1,
        Party("Smart Coop", "SC", ("Rue Coenraets 72", "1060 Saint-Gilles (BE)")),
        "0896.755.397",
        "051-1234567-89",
        joint_committees=("200",),
    ),
    "FR": _Sample(
        "cadre",
        60,
        Party("Smart Coop France", "SCIC SA", ("12 rue de Paris", "75011 Paris (FR)")),
        "512 345 678",
        "512 345 678 00021",
    ),
}


def sample_payslip(
    country: str = "FR",
    gross: str = "5200.00",
    *,
    exit_holiday: bool = False,
    intermittent: str | None = None,
    pas_rate: str | None = None,
) -> SamplePayslip:
    """`exit_holiday`: a Belgian employee's last contract, with the exit holiday pay of the
    year (five earlier months at the same gross). `intermittent`: a French CDDU of the
    performing arts ("technician", "artist"), a cadre's on a one-week contract: the longest
    French payslip (unemployment annexes, short-CDDU surcharge, Congés Spectacles). `pas_rate`:
    the personalised withholding rate the worker gave (France)."""
    from payroll.calculations import (
        DEFAULT_TAX_PROFILE,
        ContractPay,
        ExitHoliday,
        Intermittent,
        PayInput,
        TaxProfile,
        WorkerCategory,
        compute_pay,
    )
    from smartcoop.countries import pack_of_country

    sample = _SAMPLES[country]
    accident_rates = pack_of_country(country).work_accident_rates  # type: ignore[union-attr]
    start, end = date(2026, 6, 1), date(2026, 6, 30)
    contract_end = date(2026, 6, 7) if intermittent else end
    result = compute_pay(
        PayInput(
            country, WorkerCategory(sample.category), start, end,
            (ContractPay("C-1", Decimal(gross), Decimal("151.67"), start, contract_end),),
            TaxProfile(fr_pas_rate=Decimal(pas_rate)) if pas_rate else DEFAULT_TAX_PROFILE,
            intermittent=Intermittent(intermittent) if intermittent else None,

            employer_headcount=sample.employer_headcount,
            at_mp_rate=Decimal("0.0090") if accident_rates else None,
            exit_holiday=ExitHoliday(current_year_gross=Decimal(gross) * 5)
            if exit_holiday
            else None,
        )
    )  # fmt: skip
    return SamplePayslip(
        entity_id=1,
        pay_date=date(2026, 7, 10),
        period_start=start,
        period_end=end,
        category=str(result.category),
        gross=result.gross,
        employee_deductions=result.employee_deductions,
        net_taxable=result.net_taxable,
        net_social=result.net_social,
        net_pay=result.net_pay,
        employer_contributions=result.employer_contributions,
        employer_cost=result.employer_cost,
        lines=[
            {
                "code": line.code,
                "base": str(line.base),
                "rate": None if line.rate is None else str(line.rate),
                "amount": str(line.amount),
                "side": str(line.side),
            }
            for line in result.lines
        ],
        notes=list(result.notes),
    )


def sample_facts(country: str = "FR", worker_name: str = "Camille Dupont") -> PayslipFacts:
    sample = _SAMPLES[country]
    layout = payslip_layout(country)
    return PayslipFacts(
        country=country,
        employer=sample.employer,
        employer_numbers=(
            (layout.enterprise_number_label, sample.enterprise_number),
            (layout.employer_number_label, sample.employer_number),
        ),
        worker_name=worker_name,
        worker_lines=("Avenue Louise 10", "1050 Bruxelles"),
        joint_committees=sample.joint_committees,
        hours=Decimal("151.67"),
        iban_end="4321",
        year_to_date={
            "gross": Decimal("31200.00"),
            "net_taxable": Decimal("24100.50"),
            "withholding": Decimal("2400.10"),
            "net_pay": Decimal("21700.40"),
        },
    )


if __name__ == "__main__":  # pragma: no cover - a tool for looking at the layout
    import django

    django.setup()
    from .render import payslip_document_data, typst_pdf

    country, language, out = sys.argv[1].upper(), sys.argv[2], sys.argv[3]
    payslip = sample_payslip(country, exit_holiday=sys.argv[4:] == ["exit"])
    data = payslip_document_data(payslip, sample_facts(country), language)
    with open(out, "wb") as handle:
        handle.write(typst_pdf(data))
