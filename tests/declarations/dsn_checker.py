"""A DSN checker for the tests: the rules of the DSN cahier technique 2026 (CT2026.1.2) that can be
applied offline, read from the reference CSVs in `shared/payroll-formats/fr-dsn/` (reference
material: the product never reads them; it carries the rules it needs in its own code and data).

What it applies:
- the line syntax `Sxx.Gxx.xx.xxx,'value'`, rubrics and blocks that exist in the norm, every
  block inside its parent block (the blocks CSV's tree), a rubric's sequence number growing
  inside a block occurrence;
- each value's length (min/max), its format pattern (full match) and its enumeration;
- the "CSL" key controls: SIREN and NIC keys (Luhn), the calendar of dates;
- the "CCH" controls expressible from the file alone, each named by its rubric and id below
  (fraction, totals, NIR unique and consistent with the birth date, contract numbers, pay blocks
  required by the monthly DSN and the FCTU, PAS amount = base x rate within 1 euro, dates within
  the declared month, the réduction générale's SMIC component, CDDU end-of-contract rubrics…).
Not applied: controls against external tables (postcodes, NAF, IDCC, CTP, bodies' identifiers),
controls across declarations or months, and controls on blocks we never produce.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "payroll-formats" / "fr-dsn"
if not REFERENCE.exists():  # the worktree layout: /work/wt/<name>/ next to /work/shared/
    REFERENCE = Path("/work/shared/payroll-formats/fr-dsn")
LINE = re.compile(r"^(S\d{2}\.G\d{2}\.\d{2})\.(\d{3}),'(.*)'$")


@dataclass(frozen=True)
class Rubric:
    code: str
    block: str
    data_type: str
    length_min: int
    length_max: int
    pattern: str
    enumeration: frozenset[str]


@functools.cache
def parents() -> dict[str, str]:
    """Each block's parent block in the norm (S21.G00.85's parent is wrong in the extraction)."""
    with (REFERENCE / "dsn-ct2026-blocs.csv").open(encoding="utf-8") as handle:
        return {row["bloc"]: row["parent_bloc"] for row in csv.DictReader(handle)}


@functools.cache
def norm() -> tuple[dict[str, Rubric], list[str]]:
    rubrics = {}
    with (REFERENCE / "dsn-ct2026-rubriques.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values = frozenset(
                part.split("=", 1)[0].strip()
                for part in row["enumeration"].split(" | ")
                if "=" in part
            )
            rubrics[row["rubrique"]] = Rubric(
                row["rubrique"],
                row["bloc"],
                row["data_type"],
                int(row["length_min"] or 0),
                int(row["length_max"] or 10_000),
                row["format_regex"],
                values,
            )
    with (REFERENCE / "dsn-ct2026-blocs.csv").open(encoding="utf-8") as handle:
        blocks = [row["bloc"] for row in csv.DictReader(handle)]
    return rubrics, blocks


@functools.cache
def controls() -> dict[tuple[str, str], str]:
    with (REFERENCE / "dsn-ct2026-controles.csv").open(encoding="utf-8") as handle:
        return {(row["rubrique"], row["id"]): row["rule_text"] for row in csv.DictReader(handle)}


def luhn(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def date_of(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%d%m%Y").date()
    except ValueError:
        return None


@dataclass
class Block:
    code: str
    values: dict[str, str]
    line: int


def _blocks(rows: list[tuple[int, str, str, str]]) -> list[Block]:
    blocks: list[Block] = []
    for number, block, sequence, value in rows:
        if (
            not blocks
            or blocks[-1].code != block
            or sequence in blocks[-1].values
            or max(blocks[-1].values) > sequence
        ):
            blocks.append(Block(block, {}, number))
        blocks[-1].values[sequence] = value
    return blocks


def check(content: str) -> list[str]:
    """Every breach found, as 'line N: rubric: what' (empty: the file passes)."""
    rubrics, block_order = norm()
    known = controls()
    errors: list[str] = []
    rows = []
    for number, raw in enumerate(content.split("\r\n"), start=1):
        if raw == "":
            continue
        match = LINE.match(raw)
        if not match:
            errors.append(f"line {number}: not a rubric line: {raw[:40]!r}")
            continue
        block, sequence, value = match.groups()
        code = f"{block}.{sequence}"
        rubric = rubrics.get(code)
        if rubric is None:
            errors.append(f"line {number}: {code}: no such rubric in CT2026")
            continue
        if "'" in value:
            errors.append(f"line {number}: {code}: quote inside the value")
        if not rubric.length_min <= len(value) <= rubric.length_max:
            errors.append(
                f"line {number}: {code}: length {len(value)} not in "
                f"{rubric.length_min}..{rubric.length_max}"
            )
        if rubric.pattern and not re.fullmatch(rubric.pattern, value):
            errors.append(f"line {number}: {code}: {value!r} does not match {rubric.pattern}")
        if rubric.enumeration and value not in rubric.enumeration:
            errors.append(f"line {number}: {code}: {value!r} is not an allowed value")
        rows.append((number, block, sequence, value))
    # Blocks in the norm's order, at the top level (S10 < S20 < S21 < S90).
    previous = ""
    for number, block, _sequence, _value in rows:
        if block[:3] < previous[:3]:
            errors.append(f"line {number}: {block} comes after {previous}")
        if block not in block_order:
            errors.append(f"line {number}: {block}: no such block")
        previous = block
    blocks = _blocks(rows)
    errors += _nesting(blocks)
    errors += _key_controls(blocks)
    errors += _cross_controls(rows, blocks, known)
    return errors


def _nesting(blocks: list[Block]) -> list[str]:
    """Every block sits under its parent block: the parent (or one of its descendants' chain)
    is open when it starts."""
    errors, stack = [], []
    tree = parents()
    for block in blocks:
        parent = tree.get(block.code, "")
        if not parent:
            stack = [block.code]
            continue
        while stack and stack[-1] != parent:
            stack.pop()
        if not stack:
            errors.append(f"line {block.line}: {block.code} is not inside a {parent} block")
            stack = [block.code]
            continue
        stack.append(block.code)
    return errors


def _first(blocks: list[Block], code: str) -> Block | None:
    return next((b for b in blocks if b.code == code), None)


def _key_controls(blocks: list[Block]) -> list[str]:
    errors = []
    for block in blocks:
        for sequence, value in block.values.items():
            code = f"{block.code}.{sequence}"
            if code in ("S10.G00.01.001", "S21.G00.06.001") and not (
                value.isdigit() and luhn(value)
            ):
                errors.append(f"{code} CSL-11: the SIREN key is wrong ({value})")
            if code in ("S21.G00.11.001", "S10.G00.01.002", "S21.G00.06.002"):
                siren = block.values.get("001") if block.code != "S21.G00.11" else None
                siren = siren or (_first(blocks, "S21.G00.06") or Block("", {}, 0)).values.get(
                    "001", ""
                )
                if not luhn(siren + value):
                    errors.append(f"{code} CSL-12: the NIC key of SIRET {siren}{value} is wrong")
            rubric = norm()[0].get(code)
            if rubric and rubric.data_type == "D" and date_of(value) is None:
                errors.append(f"{code} CSL: {value} is not a calendar date")
    return errors


def _cross_controls(rows, blocks: list[Block], known) -> list[str]:
    errors: list[str] = []

    def fail(rubric: str, control: str, detail: str) -> None:
        assert (rubric, control) in known or control.startswith("OUR"), (rubric, control)
        errors.append(f"{rubric} {control}: {detail}")

    declaration = _first(blocks, "S20.G00.05")
    if declaration is None:
        return ["S20.G00.05: no declaration block"]
    nature = declaration.values.get("001", "")
    kind = declaration.values.get("002", "")
    month = date_of(declaration.values.get("005", "")) or dt.date(1900, 1, 1)
    month_last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)

    # S90: totals of the file.
    total = _first(blocks, "S90.G00.90")
    if total is None:
        fail("S90.G00.90.001", "OUR-1", "no total block")
    else:
        if total.values.get("001") != str(len(rows)):
            fail("S90.G00.90.001", "OUR-1", f"{total.values.get('001')} lines said, {len(rows)}")
        count = sum(1 for b in blocks if b.code == "S20.G00.05")
        if total.values.get("002") != str(count):
            fail("S90.G00.90.002", "OUR-2", f"{total.values.get('002')} DSN said, {count}")
    if nature in ("04", "05", "07", "08", "10") and declaration.values.get("003") != "11":
        fail("S20.G00.05.003", "CCH-11", "a signal has fraction 11")
    if "006" in declaration.values and kind not in ("03", "04"):
        fail("S20.G00.05.006", "CCH-12", "a replaced id only for types 03/04")
    individuals = [b for b in blocks if b.code == "S21.G00.30"]
    if kind in ("01", "03") and not individuals:
        fail("S20.G00.05.002", "CCH-16", "a normal declaration needs an individual")

    nirs = Counter(b.values.get("001") for b in individuals if b.values.get("001"))
    for nir, times in nirs.items():
        if times > 1:
            fail("S21.G00.30.001", "CCH-14", f"NIR {nir} declared {times} times")
        if nir in ("1999999999999", "2999999999999"):
            fail("S21.G00.30.001", "CCH-13", "placeholder NIR")
    for person in individuals:
        nir, born = person.values.get("001", ""), date_of(person.values.get("006", ""))
        if nir and born and nir[1:3] != born.strftime("%y"):
            fail("S21.G00.30.006", "CCH-11", f"NIR year {nir[1:3]} vs birth {born.year}")
        if "001" not in person.values and "020" not in person.values:
            fail("S21.G00.30.020", "CCH-12", "neither NIR nor temporary number")

    # Per individual: its contracts and payments (the blocks up to the next individual).
    groups: list[list[Block]] = []
    for block in blocks:
        if block.code == "S21.G00.30":
            groups.append([block])
        elif groups and block.code.startswith("S21.G00.") and block.code > "S21.G00.30":
            groups[-1].append(block)
    for group in groups:
        person = group[0]
        born = date_of(person.values.get("006", ""))
        contracts = [b for b in group if b.code == "S21.G00.40"]
        numbers = Counter(c.values.get("009") for c in contracts)
        for number, times in numbers.items():
            if times > 1:
                fail("S21.G00.40.009", "CCH-12", f"contract number {number} twice")
        remunerations = [b for b in group if b.code == "S21.G00.51"]
        remunerated = {r.values.get("010") for r in remunerations}
        for contract in contracts:
            start = date_of(contract.values.get("001", ""))
            end = date_of(contract.values.get("010", ""))
            if contract.values.get("009") not in remunerated:
                fail("S21.G00.40.009", "CCH-13", f"contract {contract.values.get('009')} unpaid")
            if born and start and start <= born:
                fail("S21.G00.40.001", "CCH-15", "contract before birth")
            if start and end and end < start:
                fail("S21.G00.40.010", "CCH-11", "end before start")
            if contract.values.get("007") in ("02", "03", "10", "29") and end is None:
                fail("S21.G00.40.010", "CCH-12", "a fixed-term contract has its end date")
            if contract.values.get("003") == "01" and contract.values.get("002") not in (
                "03",
                "04",
            ):
                fail("S21.G00.40.003", "CCH-11", "a cadre has a cadre status")
        for remuneration in remunerations:
            if remuneration.values.get("010") not in numbers:
                control = "CCH-12" if nature == "07" else "CCH-11"
                fail("S21.G00.51.010", control, "remuneration of an undeclared contract")
        # Payments and their remunerations.
        payments: list[list[Block]] = []
        for block in group:
            if block.code == "S21.G00.50":
                payments.append([block])
            elif payments and block.code in (
                "S21.G00.51",
                "S21.G00.53",
                "S21.G00.78",
                "S21.G00.79",
                "S21.G00.81",
            ):
                payments[-1].append(block)
        versement_numbers = Counter(p[0].values.get("003") for p in payments)
        if len(payments) > 1 and None in versement_numbers:
            fail("S21.G00.50.003", "CCH-12", "several payments without number")
        for number, times in versement_numbers.items():
            if number and times > 1:
                fail("S21.G00.50.003", "CCH-11", f"payment number {number} twice")
        for payment in payments:
            head = payment[0].values
            paid_on = date_of(head.get("001", ""))
            next_month_last = (month_last + dt.timedelta(days=1)).replace(day=28) + dt.timedelta(4)
            next_month_last = next_month_last.replace(day=1) - dt.timedelta(1)
            if paid_on and paid_on > next_month_last:
                fail("S21.G00.50.001", "CCH-13", "paid after the following month")
            if head.get("007") == "01" and "008" not in head:
                fail("S21.G00.50.008", "CCH-11", "a DGFiP rate has its identifier")
            if {"006", "009", "013"} <= head.keys():
                expected = Decimal(head["013"]) * Decimal(head["006"]) / 100
                if abs(expected - Decimal(head["009"])) > 1:
                    fail("S21.G00.50.009", "CCH-11", f"{head['009']} is not base x rate")
            kinds_per_contract: dict[str, set[str]] = {}
            for block in payment:
                if block.code == "S21.G00.51":
                    kinds_per_contract.setdefault(block.values.get("010", ""), set()).add(
                        block.values.get("011", "")
                    )
            required = {"001", "002", "010"} if nature == "07" else {"001", "002", "003", "010"}
            for number, kinds in kinds_per_contract.items():
                if not required <= kinds:
                    control = "CCH-15" if nature == "07" else "CCH-11"
                    fail("S21.G00.51.011", control, f"contract {number} lacks {required - kinds}")
            base_blocks = [b for b in payment if b.code == "S21.G00.78"]
            for base in base_blocks:
                start = date_of(base.values.get("002", ""))
                end = date_of(base.values.get("003", ""))
                if start and end and end < start:
                    fail("S21.G00.78.003", "CCH-12", "base period ends before it starts")
                if end and end > month_last:
                    fail("S21.G00.78.003", "CCH-15", "base period after the declared month")
                if start and end and start.year != end.year:
                    fail("S21.G00.78.003", "CCH-16", "base period over two years")
                if nature == "07" and base.values.get("001") == "31":
                    fail("S21.G00.78.001", "CCH-14", "base 31 in an FCTU")
            # S21.G00.81 018/106 need base and amount and a SMIC component (79 type 01).
            current_components: set[str] = set()
            for block in payment:
                if block.code == "S21.G00.78":
                    current_components = set()
                elif block.code == "S21.G00.79":
                    current_components.add(block.values.get("001", ""))
                elif block.code == "S21.G00.81" and block.values.get("001") in ("018", "106"):
                    if not {"003", "004"} <= block.values.keys():
                        fail("S21.G00.81.001", "CCH-16", "réduction générale without amounts")
                    if "01" not in current_components:
                        fail("S21.G00.81.001", "CCH-17", "réduction générale without SMIC")
        # End of contract (FCTU and monthly).
        for index, block in enumerate(group):
            if block.code != "S21.G00.62":
                continue
            contract = next(
                (b for b in reversed(group[:index]) if b.code == "S21.G00.40"), Block("", {}, 0)
            )
            end = date_of(block.values.get("001", ""))
            start = date_of(contract.values.get("001", ""))
            usage = contract.values.get("021") == "05"
            reason = block.values.get("002")
            if start and end and start > end and reason != "099":
                fail("S21.G00.40.001", "CCH-13", "contract starts after its end")
            if usage and reason != "099" and "006" not in block.values:
                fail("S21.G00.62.006", "CCH-16", "a CDDU end has its last day worked")
            last = date_of(block.values.get("006", ""))
            if last and ((start and last < start) or (end and last > end)):
                fail("S21.G00.62.006", "CCH-15", "last day worked outside the contract")
            if (
                contract.values.get("007") in ("02", "10")
                and usage
                and reason != "099"
                and "017" not in block.values
            ):
                fail("S21.G00.62.017", "CCH-11", "a CDDU end says its circuit")
            if reason == "099" and nature != "01":
                fail("S21.G00.62.002", "CCH-13", "cancellation only in a monthly DSN")
    if nature == "07" and not any(b.code == "S21.G00.62" for b in blocks):
        fail("S21.G00.62.001", "OUR-3", "an FCTU has an end of contract")

    # Payments to bodies and the URSSAF statement.
    for block in blocks:
        if block.code == "S21.G00.20":
            start = date_of(block.values.get("006", ""))
            end = date_of(block.values.get("007", ""))
            if start and end and end < start:
                fail("S21.G00.20.007", "CCH-11", "payment period ends before it starts")
            if end and end > month_last:
                fail("S21.G00.20.007", "CCH-13", "payment period after the declared month")
            if block.values.get("010") == "05" and "004" not in block.values:
                fail("S21.G00.20.010", "CCH-12", "a SEPA debit has its IBAN")
            if block.values.get("001") == "DGFIP" and block.values.get("002") not in (
                "DGFIP_PAS",
                "DGFIP_SATD",
            ):
                fail("S21.G00.20.002", "CCH-11", "the DGFiP payment names its assignment")
        if block.code == "S21.G00.22":
            start = date_of(block.values.get("003", ""))
            end = date_of(block.values.get("004", ""))
            if start and end and end < start:
                fail("S21.G00.22.004", "CCH-11", "statement period ends before it starts")
            if end and end > month_last:
                fail("S21.G00.22.004", "CCH-12", "statement period after the declared month")
    return errors


def amounts(content: str, rubric: str) -> list[Decimal]:
    """Every value of one rubric, as decimals (for the totals tests)."""
    return [
        Decimal(line.split(",", 1)[1].strip("'"))
        for line in content.split("\r\n")
        if line.startswith(rubric + ",")
    ]


def values(content: str, rubric: str) -> list[str]:
    return [
        line.split(",", 1)[1][1:-1]
        for line in content.split("\r\n")
        if line.startswith(rubric + ",")
    ]
