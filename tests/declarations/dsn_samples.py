"""Synthetic DSN inputs for the pure tests and the benchmark: workers paid by the real French
payroll engine (CDDU of a day, a CDI month, intermittent artists and technicians), turned into
the DSN's frozen inputs by the product's own conversion (`services_dsn._payment`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from declarations import dsn, services_dsn
from payroll import calculations as engine

SIRET = "73282932000074"


def establishment() -> dsn.Establishment:
    return dsn.Establishment(
        siren=SIRET[:9],
        nic=SIRET[9:],
        name="SmartFr coopérative",
        street="10 rue de la Roquette",
        postcode="75011",
        city="Paris",
        naf_code="9001Z",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        urssaf_id="78861779300013",
        retirement_id="G022",
        leave_fund_id="CCS75",
        contact_name="Service paie",
        contact_email="paie@example.org",
        contact_phone="0102030405",
    )


def _variants(month: dt.date):
    """(contract type, intermittent, gross, days) of the workers, and the engine's payslip."""
    end = dsn.month_end(month)
    shapes = [
        ("cddu", None, "180.00", 1),
        ("cddu", engine.Intermittent.ARTIST, "250.00", 1),
        ("cddu", engine.Intermittent.TECHNICIAN, "420.00", 2),
        ("cdi", None, "2400.00", (end - month).days + 1),
        ("cddu", None, "1200.00", 10),
    ]
    out = []
    for contract_type, intermittent, gross, days in shapes:
        start = month + dt.timedelta(days=3)
        stop = start + dt.timedelta(days=days - 1) if days < 28 else end
        start = month if days >= 28 else start
        pay = engine.PayInput(
            country="FR",
            category=engine.WorkerCategory.NON_CADRE,
            period_start=month,
            period_end=end,
            contracts=(
                engine.ContractPay("c", Decimal(gross), Decimal(8 * min(days, 20)), start, stop),
            ),
            at_mp_rate=Decimal("0.0090"),
            employer_headcount=60,
            short_contract=contract_type == "cddu",
            intermittent=intermittent,
        )
        result = engine.compute_pay(pay)
        slip = SimpleNamespace(
            lines=[
                {
                    "code": line.code,
                    "amount": str(line.amount),
                    "base": str(line.base),
                    "rate": None if line.rate is None else str(line.rate),
                }
                for line in result.lines
            ],
            tax_profile={},
            net_taxable=result.net_taxable,
            net_pay=result.net_pay,
            gross=result.gross,
            pay_date=end + dt.timedelta(days=5),
            period_start=month,
            period_end=end,
            paid_contracts=SimpleNamespace(all=lambda: []),
            parameters=[
                {"key": p.key, "value": p.value}
                for p in result.parameters
                if p.key.endswith("reduction_generale")
            ],
        )
        out.append((contract_type, intermittent, start, stop, pay.hours, slip))
    return out


def synthetic_month(count: int, month: dt.date = dt.date(2026, 3, 1)) -> dsn.DsnInput:
    codes = services_dsn._codes(month)
    variants = []
    for contract_type, intermittent, start, stop, hours, slip in _variants(month):
        payment, problems = services_dsn._payment(
            slip, codes=codes, large=True, pas_rows=[], where="sample"
        )
        assert not problems, problems
        variants.append((contract_type, intermittent, start, stop, hours, payment))
    individuals = []
    for index in range(count):
        contract_type, intermittent, start, stop, hours, payment = variants[index % len(variants)]
        number = f"C{index:07d}"
        payment = payment.__class__(
            **{
                **payment.__dict__,
                "contracts": (dsn.PaidContract(number, payment.gross, hours),),
                "smic_component": Decimal("1823.03"),
            }
        )
        sex = 1 + index % 2
        nir = f"{sex}{80 + index % 20:02d}{1 + index % 12:02d}75{100 + index % 900:03d}{index % 999 + 1:03d}"
        individuals.append(
            dsn.Individual(
                nir=nir,
                last_name=f"Martin{index}",
                first_name="Camille",
                birth_date=dt.date(1980 + index % 20, 1 + index % 12, 15),
                member_number=str(10_000 + index),
                contracts=(
                    dsn.Contract(
                        number=number,
                        start=start,
                        end=stop,
                        nature="02" if contract_type == "cddu" else "01",
                        recourse="05" if contract_type == "cddu" else "",
                        cadre=False,
                        function="Musicienne" if intermittent else "Formatrice",
                        hours=hours,
                        artistic=intermittent is not None,
                    ),
                ),
                payments=(payment,),
            )
        )
    return dsn.DsnInput(
        nature="01",
        order="1",
        month=month,
        created_on=month + dt.timedelta(days=35),
        test=True,
        norm_version="P26V01",
        software_version="1.0",
        establishment=establishment(),
        individuals=tuple(individuals),
    )


def unique_nirs(data: dsn.DsnInput) -> bool:
    return len({p.nir for p in data.individuals}) == len(data.individuals)
