"""DSN (France, monthly): a pure builder of the "DSN mensuelle" (nature 01) of one establishment
(SIRET) and one month, and of the "Signalement Fin du contrat de travail unique" (FCTU, nature 07)
of one ended contract, in the NEODeS flat format of the cahier technique 2026 (norm P26V01): one
rubric a line, `S21.G00.30.001,'value'`, blocks in the order of the norm, dates DDMMYYYY, amounts
with a dot and two decimals, rates in percent, ending with S90 (number of lines, number of DSN).

Frozen dataclasses in, text out: no ORM, no clock (the creation date is an input), so the same
inputs give the same file. Which rubrics, which codes and why:
- S10 sender and contact; S20.G00.05 nature 01 (or 07), type 01 "normale", fraction 11, the
  month as 01MMYYYY; S21.G00.06 company (SIREN, NIC, APEN, address), .11 establishment.
- monthly only: S21.G00.20 one payment per body (the URSSAF, the AGIRC-ARRCO institution, the
  Caisse des Congés Spectacles, the DGFiP for the PAS: "DGFIP" / "DGFIP_PAS"), SEPA debit of the entity's IBAN; S21.G00.22 the
  URSSAF statement with its S21.G00.23 aggregated contributions per CTP code and base qualifier
  (920 other base, 921 capped base).
- per worker S21.G00.30 (NIR without key, names, sex from the NIR, birth date, member number);
  per contract S21.G00.40 (start, status, nature 02 CDD with recourse 05 "contrat d'usage" for a
  CDDU or 01 CDI, number, end, hours, general scheme 200) with S21.G00.71 RUAA (AGIRC-ARRCO);
  an FCTU adds S21.G00.62 (end, reason 031 end of CDD, last day worked, 02 ordinary circuit).
- per payslip S21.G00.50 (pay date, net taxable, net paid, PAS rate, type, identifier, amount,
  base); per contract S21.G00.51 types 001 (gross), 002 (unemployment gross), 003 (restored
  salary) and 010 (base salary with its hours) and S21.G00.53 the hours worked (unit 35
  "heures intermittents du spectacle" for intermittents, else 10); S21.G00.78 bases
  (02 capped, 03 uncapped, 04 CSG, 07 unemployment, 27 Congés Spectacles) each followed by its S21.G00.81 individual
  contributions (code, base, amount, rate); the réduction générale (018) gets its S21.G00.79
  SMIC component (type 01).
UNCERTAIN (no official CTP table, sample file or DSN-Val was available offline): the CTP codes
and the individual codes per payslip line are a dated table of the pack
(`fr.dsn_contribution_codes`); the SMIC component is the hourly SMIC x the hours paid (at most
151.67 h); the PAS rate identifier is the one of the imported CRM, else 0.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
NORM_VERSION_DEFAULT = "P26V01"
ARTISTIC_SECTORS = frozenset(
    {"image_sound_stage", "music", "audiovisual", "performing_literary", "costume_makeup_set"}
)


@dataclass(frozen=True)
class Establishment:
    siren: str
    nic: str
    name: str
    street: str
    postcode: str
    city: str
    naf_code: str
    iban: str
    bic: str
    urssaf_id: str
    retirement_id: str
    leave_fund_id: str  # Caisse des Congés Spectacles (artists and technicians on CDD)
    contact_name: str
    contact_email: str
    contact_phone: str


@dataclass(frozen=True)
class Contribution:
    """One payslip line as the DSN declares it (amount signed as on the payslip)."""

    line_code: str
    individual_code: str  # S21.G00.81.001
    base_code: str  # S21.G00.78.001 it hangs under
    body: str  # urssaf | retirement | leave_fund
    ctp: str  # S21.G00.23.001 (URSSAF only)
    qualifier: str  # S21.G00.23.002
    base: Decimal
    rate: Decimal | None  # a ratio (0.069)
    amount: Decimal


@dataclass(frozen=True)
class PaidContract:
    number: str
    gross: Decimal
    hours: Decimal


@dataclass(frozen=True)
class Payment:
    """One approved payslip."""

    pay_date: dt.date
    period_start: dt.date
    period_end: dt.date
    gross: Decimal
    net_taxable: Decimal
    net_paid: Decimal
    pas_rate: Decimal  # ratio
    pas_type: str  # 01 DGFiP rate, 13 neutral monthly grid
    pas_rate_id: str
    pas_amount: Decimal
    pas_base: Decimal
    smic_component: Decimal
    contracts: tuple[PaidContract, ...]
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class Contract:
    number: str
    start: dt.date
    end: dt.date
    nature: str  # 01 CDI, 02 CDD
    recourse: str  # 05 contrat d'usage for a CDDU, "" otherwise
    cadre: bool
    function: str
    hours: Decimal
    artistic: bool
    ended: bool = False  # an FCTU: the S21.G00.62 end-of-contract block


@dataclass(frozen=True)
class Individual:
    nir: str  # 13 characters, without the key
    last_name: str
    first_name: str
    birth_date: dt.date
    member_number: str
    contracts: tuple[Contract, ...]
    payments: tuple[Payment, ...]


@dataclass(frozen=True)
class DsnInput:
    nature: str  # 01 monthly, 07 FCTU
    order: str  # S20.G00.05.004: our sequence number of the declaration
    month: dt.date  # first day of the declared month
    created_on: dt.date
    test: bool
    norm_version: str
    software_version: str
    establishment: Establishment
    individuals: tuple[Individual, ...]


# --- Formats -----------------------------------------------------------------------------------


def day(value: dt.date) -> str:
    return value.strftime("%d%m%Y")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def percent(ratio: Decimal, places: int = 2) -> str:
    return str((ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def text(value: str, limit: int) -> str:
    """Free text as the norm takes it: one line, ISO-8859-1, no quote that would end the value,
    no character repeated more than twice, cut to the rubric's length."""
    cleaned = " ".join(str(value).replace("'", " ").split())
    cleaned = cleaned.encode("latin-1", "replace").decode("latin-1")
    out: list[str] = []
    for char in cleaned:
        if len(out) >= 2 and out[-1] == out[-2] == char and not char.isdigit():
            continue
        out.append(char)
    return "".join(out)[:limit].strip()


def plain(value: str, limit: int) -> str:
    """Localities: letters, digits and spaces only, without accents (the rubric's pattern)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_text).split())[:limit]


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


# --- Builder -----------------------------------------------------------------------------------

BASE_ORDER = ("02", "03", "04", "07", "27")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, rubric: str, value: str | None) -> None:
        if value is None or value == "":
            return
        self.lines.append(f"{rubric},'{value}'")


def _header(out: _Writer, data: DsnInput) -> None:
    e = data.establishment
    out.add("S10.G00.00.001", "smartcoop")
    out.add("S10.G00.00.002", "smartcoop")
    out.add("S10.G00.00.003", text(data.software_version, 10))
    out.add("S10.G00.00.005", "01" if data.test else "02")
    out.add("S10.G00.00.006", data.norm_version)
    out.add("S10.G00.00.007", "01")
    out.add("S10.G00.00.008", "01")
    out.add("S10.G00.01.001", e.siren)
    out.add("S10.G00.01.002", e.nic)
    out.add("S10.G00.01.003", text(e.name, 60))
    out.add("S10.G00.01.004", text(e.street, 50))
    out.add("S10.G00.01.005", e.postcode)
    out.add("S10.G00.01.006", plain(e.city, 50))
    out.add("S10.G00.02.002", text(e.contact_name, 80))
    out.add("S10.G00.02.004", text(e.contact_email, 100))
    out.add("S10.G00.02.005", text(e.contact_phone, 20) if len(e.contact_phone) >= 10 else None)
    out.add("S20.G00.05.001", data.nature)
    out.add("S20.G00.05.002", "01")
    out.add("S20.G00.05.003", "11")
    out.add("S20.G00.05.004", data.order)
    out.add("S20.G00.05.005", "01" + data.month.strftime("%m%Y"))
    out.add("S20.G00.05.007", day(data.created_on))
    out.add("S20.G00.05.008", "01")
    out.add("S20.G00.05.010", "01")
    out.add("S20.G00.07.001", text(e.contact_name, 80))
    out.add("S20.G00.07.002", text(e.contact_phone, 20) if len(e.contact_phone) >= 10 else None)
    out.add("S20.G00.07.003", text(e.contact_email, 100))
    out.add("S21.G00.06.001", e.siren)
    out.add("S21.G00.06.002", e.nic)
    out.add("S21.G00.06.003", e.naf_code)
    out.add("S21.G00.06.004", text(e.street, 50))
    out.add("S21.G00.06.005", e.postcode)
    out.add("S21.G00.06.006", plain(e.city, 50))
    out.add("S21.G00.11.001", e.nic)
    out.add("S21.G00.11.002", e.naf_code)
    out.add("S21.G00.11.003", text(e.street, 50))
    out.add("S21.G00.11.004", e.postcode)
    out.add("S21.G00.11.005", plain(e.city, 50))
    out.add("S21.G00.11.017", "01")


@dataclass(frozen=True)
class Aggregate:
    ctp: str
    qualifier: str
    base: Decimal
    amount: Decimal


def aggregates(individuals) -> list[Aggregate]:
    """The URSSAF contributions summed per CTP and base qualifier: the amounts add up, the base
    of a payslip is counted once per CTP (several lines of one CTP share it)."""
    bases: dict[tuple[str, str], Decimal] = OrderedDict()
    amounts: dict[tuple[str, str], Decimal] = OrderedDict()
    for person in individuals:
        for payment in person.payments:
            seen: dict[tuple[str, str], Decimal] = {}
            for item in payment.contributions:
                if item.body != "urssaf":
                    continue
                key = (item.ctp, item.qualifier)
                seen[key] = max(seen.get(key, ZERO), item.base)
                amounts[key] = amounts.get(key, ZERO) + item.amount
            for key, base in seen.items():
                bases[key] = bases.get(key, ZERO) + base
    return [
        Aggregate(ctp, qualifier, bases[(ctp, qualifier)], amounts[(ctp, qualifier)])
        for ctp, qualifier in sorted(amounts)
    ]


def body_totals(individuals) -> dict[str, Decimal]:
    totals = {"urssaf": ZERO, "retirement": ZERO, "leave_fund": ZERO, "dgfip": ZERO}
    for person in individuals:
        for payment in person.payments:
            totals["dgfip"] += payment.pas_amount
            for item in payment.contributions:
                totals[item.body] += item.amount
    return totals


def bodies_paid(individuals) -> set[str]:
    """The bodies the month's declaration pays: the URSSAF always, the others when a payslip
    line (or the PAS) goes to them."""
    found = {"urssaf"}
    for person in individuals:
        for payment in person.payments:
            if payment.pas_amount:
                found.add("dgfip")
            found.update(item.body for item in payment.contributions)
    return found


def _payments_to_bodies(out: _Writer, data: DsnInput) -> None:
    e = data.establishment
    start, end = day(data.month), day(month_end(data.month))
    totals = body_totals(data.individuals)
    paid = bodies_paid(data.individuals)
    for body, identifier, assignment in (
        ("urssaf", e.urssaf_id, None),
        ("retirement", e.retirement_id, None),
        ("leave_fund", e.leave_fund_id, None),
        ("dgfip", "DGFIP", "DGFIP_PAS"),
    ):
        if body not in paid:
            continue
        out.add("S21.G00.20.001", identifier)
        out.add("S21.G00.20.002", assignment)
        out.add("S21.G00.20.003", e.bic or None)
        out.add("S21.G00.20.004", e.iban)
        out.add("S21.G00.20.005", money(max(totals[body], ZERO)))
        out.add("S21.G00.20.006", start)
        out.add("S21.G00.20.007", end)
        out.add("S21.G00.20.010", "05")
    out.add("S21.G00.22.001", e.urssaf_id)
    out.add("S21.G00.22.003", start)
    out.add("S21.G00.22.004", end)
    rows = aggregates(data.individuals)
    out.add("S21.G00.22.005", money(sum((row.amount for row in rows), ZERO)))
    for row in rows:
        out.add("S21.G00.23.001", row.ctp)
        out.add("S21.G00.23.002", row.qualifier)
        out.add("S21.G00.23.004", money(row.base))
        out.add("S21.G00.23.005", money(row.amount))


def _contract(out: _Writer, contract: Contract) -> None:
    out.add("S21.G00.40.001", day(contract.start))
    out.add("S21.G00.40.002", "04" if contract.cadre else "06")
    out.add("S21.G00.40.003", "01" if contract.cadre else "04")
    out.add("S21.G00.40.006", text(contract.function, 120) or None)
    out.add("S21.G00.40.007", contract.nature)
    out.add("S21.G00.40.009", contract.number)
    out.add("S21.G00.40.010", day(contract.end) if contract.nature == "02" else None)
    out.add("S21.G00.40.011", "10")
    out.add("S21.G00.40.012", "151.67")
    out.add("S21.G00.40.013", money(max(contract.hours, CENT)))
    out.add("S21.G00.40.014", "10" if contract.hours >= Decimal("151.67") else "20")
    out.add("S21.G00.40.016", "99")
    out.add("S21.G00.40.018", "200")
    out.add("S21.G00.40.020", "200")
    out.add("S21.G00.40.021", contract.recourse or None)
    out.add("S21.G00.40.024", "99")
    out.add("S21.G00.40.036", "03")
    out.add("S21.G00.40.037", "03")
    out.add("S21.G00.40.039", "200")
    if contract.ended:
        out.add("S21.G00.62.001", day(contract.end))
        out.add("S21.G00.62.002", "031")
        out.add("S21.G00.62.006", day(contract.end))
        out.add("S21.G00.62.017", "02" if contract.recourse == "05" else None)
    out.add("S21.G00.71.002", "RUAA")


def _payment(out: _Writer, payment: Payment, number: int, contracts: dict[str, Contract]) -> None:
    out.add("S21.G00.50.001", day(payment.pay_date))
    out.add("S21.G00.50.002", money(payment.net_taxable))
    out.add("S21.G00.50.003", f"{number:02d}")
    out.add("S21.G00.50.004", money(payment.net_paid))
    out.add("S21.G00.50.006", percent(payment.pas_rate))
    out.add("S21.G00.50.007", payment.pas_type)
    out.add("S21.G00.50.008", payment.pas_rate_id if payment.pas_type == "01" else None)
    out.add("S21.G00.50.009", money(payment.pas_amount))
    out.add("S21.G00.50.013", money(max(payment.pas_base, ZERO)))
    start, end = day(payment.period_start), day(payment.period_end)
    for paid in payment.contracts:
        contract = contracts.get(paid.number)
        for kind in ("001", "002", "003", "010"):
            out.add("S21.G00.51.001", start)
            out.add("S21.G00.51.002", end)
            out.add("S21.G00.51.010", paid.number)
            out.add("S21.G00.51.011", kind)
            out.add("S21.G00.51.012", money(paid.hours) if kind == "010" else None)
            out.add("S21.G00.51.013", money(paid.gross))
            if kind == "010":
                out.add("S21.G00.53.001", "01")
                out.add("S21.G00.53.002", money(paid.hours))
                out.add("S21.G00.53.003", "35" if contract and contract.artistic else "10")
    by_base: dict[str, list[Contribution]] = {}
    for item in payment.contributions:
        by_base.setdefault(item.base_code, []).append(item)
    for code in BASE_ORDER:
        items = by_base.get(code, [])
        if code != "03" and not items:
            continue
        base = payment.gross if code == "03" else max(item.base for item in items)
        out.add("S21.G00.78.001", code)
        out.add("S21.G00.78.002", start)
        out.add("S21.G00.78.003", end)
        out.add("S21.G00.78.004", money(base))
        if code == "03" and any(item.individual_code == "018" for item in items):
            out.add("S21.G00.79.001", "01")
            out.add("S21.G00.79.004", money(payment.smic_component))
        for item in items:
            out.add("S21.G00.81.001", item.individual_code)
            out.add("S21.G00.81.003", money(item.base))
            out.add("S21.G00.81.004", money(item.amount))
            out.add(
                "S21.G00.81.007",
                percent(abs(item.rate), 3)
                if item.rate is not None and abs(item.rate) < 1
                else None,
            )


def dsn_text(data: DsnInput) -> str:
    """The declaration as the NEODeS flat file (lines ending with CRLF)."""
    out = _Writer()
    _header(out, data)
    if data.nature == "01":
        _payments_to_bodies(out, data)
    for person in data.individuals:
        out.add("S21.G00.30.001", person.nir)
        out.add("S21.G00.30.002", text(person.last_name, 80))
        out.add("S21.G00.30.004", text(person.first_name, 80))
        out.add("S21.G00.30.005", "02" if person.nir.startswith("2") else "01")
        out.add("S21.G00.30.006", day(person.birth_date))
        out.add("S21.G00.30.019", person.member_number)
        contracts = {c.number: c for c in person.contracts}
        for contract in person.contracts:
            _contract(out, contract)
        for number, payment in enumerate(person.payments, start=1):
            _payment(out, payment, number, contracts)
    count = len(out.lines) + 2
    out.add("S90.G00.90.001", str(count))
    out.add("S90.G00.90.002", "1")
    return "\r\n".join(out.lines) + "\r\n"


# --- Reading a flat file (the checker, the totals, the PAS return) -------------------------------


def parse_lines(content: str) -> list[tuple[str, str]]:
    """(rubric, value) per line; ValueError naming the first line that is not `rubric,'value'`."""
    import re

    pattern = re.compile(r"^(S\d{2}\.G\d{2}\.\d{2}\.\d{3}),'(.*)'$")
    rows = []
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        match = pattern.match(raw.strip())
        if not match:
            raise ValueError(f"line {number} is not a DSN rubric line")
        rows.append((match.group(1), match.group(2)))
    return rows
