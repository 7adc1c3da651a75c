"""DmfA (Belgium, quarterly): a pure builder of the original declaration of one employer and one
quarter, valid against `schemas/DmfAOriginal_20231.xsd`, and the sums it takes from payslips.

Amounts are integers in euro cents, hours in hundredths (zones of the ONSS glossary). Worker codes
(annex 2): 495 employees, 015 manual workers, 046/047 artists (047: part-time pupils until the
end of the year they turn 18; without a pupil status, by age alone — `worker_code`), 840/841 students (manual / white-collar) under the solidarity contribution. Per worker line:
one occupation per contract, remuneration code 1 (ordinary pay), one ordinary contribution (personal
SSC + employer basic + wage moderation; type 0 on gross, type 1 on 108 % for manual workers and
artists, whose quarterly holiday-fund contribution it includes),
the work bonus (deduction 0001) and the structural reduction (deduction 3000); students get the
StudentContribution block (solidarity contribution, both shares) instead. NetOwedAmount =
contributions - deductions (the ONSS validator's fourth check).
Belgian exit holiday pay (RULES.md Part II §1.1; annex 7 of the glossary): the simple part (7.67 %)
is remuneration code 7 ("pécule simple de vacances de sortie payé aux employés et soumis aux
cotisations") in the occupation of the contract that ends, inside the ordinary contribution's
basis, with its personal and employer contributions; the double part (6.80 %) and the
additional double part (0.87 %) are not remuneration: the 13.07 % special contribution on the
double part is declared once for the employer, not per worker (annex 2: worker code 870,
"cotisation non liée à une personne physique"), basis = the double parts, in NetOwedAmount.
UNCERTAIN: the employer class (annex 27) is 000 and the joint committee of the occupation is the
contract's or 200; a student is 840 (manual) when a contract of the quarter is under a manual
workers' joint committee (`be.dmfa_manual_joint_committees`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from .builders import XSI, schema_errors

DMFA_SCHEMA = "DmfAOriginal_20231.xsd"
# The ordinary contribution: personal + employer basic + wage moderation, and for manual workers
# and artists the quarterly holiday-fund contribution (5.57 % of 108 %, "added to the basic
# employer contribution"); the annual holiday-fund part (10.27 %) is not in the DmfA: the ONSS
# sends it on a debit notice the next year.
CONTRIBUTIONS = (
    "ssc_personal",
    "employer_basic",
    "employer_wage_moderation",
    "holiday_fund_quarterly",
    # on the simple exit holiday pay (remuneration code 7)
    "exit_holiday_ssc",
    "exit_holiday_employer_basic",
    "exit_holiday_employer_wage_moderation",
)
EXIT_SIMPLE = "exit_holiday_simple"
EXIT_DOUBLE = "exit_holiday_double"
EXIT_SPECIAL = "exit_holiday_special_contribution"
REMUN_EXIT_SIMPLE = "007"
HOLIDAY_SPECIAL_WORKER_CODE = "870"
MANUAL_CODES = ("015", "046", "047")
STUDENT = ("student_solidarity", "student_solidarity_employer")
WORK_BONUS = ("work_bonus_a", "work_bonus_b")


@dataclass(frozen=True)
class Occupation:
    start: dt.date
    end: dt.date
    joint_committee: str
    hours: Decimal
    gross: Decimal
    exit_simple: Decimal = Decimal("0")  # remuneration code 7, paid when this contract ended


@dataclass(frozen=True)
class WorkerLine:
    inss: str
    worker_code: str
    occupations: tuple[Occupation, ...]
    gross: Decimal
    contribution_basis: Decimal
    contributions: Decimal  # type 0: personal + employer ordinary contributions
    work_bonus: Decimal  # deduction 0001 (positive)
    structural_reduction: Decimal  # deduction 3000 (positive)
    student_contribution: Decimal = Decimal("0")
    student_hours: Decimal = Decimal("0")


@dataclass(frozen=True)
class DmfaInput:
    reference: str
    created_at: dt.datetime
    quarter: str  # YYYYQ
    employer_noss: str
    company_id: str
    workers: tuple[WorkerLine, ...]
    # worker code 870: the special contribution on the double exit holiday pay and its basis
    holiday_special_basis: Decimal = Decimal("0")
    holiday_special: Decimal = Decimal("0")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, q = int(quarter[:4]), int(quarter[4])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def worker_code(
    category: str,
    *,
    birth_date: dt.date | None,
    year: int,
    manual: bool = False,
    part_time_pupil: bool | None = None,
) -> str:
    """Annex 2: a student is 840 on a manual workers' job (`manual`), else 841. An artist is
    047 when a part-time pupil ("élève à temps partiel") until 31 December of the year they
    turn 18 (AN2022-2: "Artistes - Élèves à temps partiel jusqu'au 31 décembre de l'année où
    ils atteignent 18 ans"), else 046. `part_time_pupil` None means the pupil status is not
    known: then, as an approximation, every artist who turns 18 or less in the year is 047
    (smartcoop records no school enrolment: see docs/declarations.md, DmfA)."""
    if category == "student":
        return "840" if manual else "841"
    if category == "artist":
        young = birth_date is not None and year - birth_date.year <= 18
        if part_time_pupil is None:  # approximation: age alone
            return "047" if young else "046"
        return "047" if young and part_time_pupil else "046"
    if category == "manual_worker":
        return "015"
    return "495"


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def net_owed(data: DmfaInput) -> int:
    total = 0
    for worker in data.workers:
        if worker.worker_code in ("840", "841"):
            total += cents(worker.student_contribution)
        else:
            total += (
                cents(worker.contributions)
                - cents(worker.work_bonus)
                - cents(worker.structural_reduction)
            )
    total += cents(data.holiday_special)
    return max(total, 0)


def _el(parent, tag: str, text) -> None:
    etree.SubElement(parent, tag).text = str(text)


def _record_head(record, worker: WorkerLine, start: dt.date, end: dt.date) -> None:
    _el(record, "EmployerClass", "000")
    _el(record, "WorkerCode", worker.worker_code)
    _el(record, "NOSSQuarterStartingDate", start.isoformat())
    _el(record, "NOSSQuarterEndingDate", end.isoformat())
    _el(record, "Border", 0)


def _record_body(record, worker: WorkerLine, *, occupation_tag: str) -> None:
    """What a worker line declares: occupations (`Occupation` in an original, `OccupationUpdate`
    in an update: the same zones), contributions and deductions, or a student's contribution."""
    if worker.worker_code in ("840", "841"):  # a student line has no occupation block
        student = etree.SubElement(record, "StudentContribution")
        _el(student, "StudentRemunAmount", f"{cents(worker.gross):09d}")
        _el(student, "StudentContributionAmount", f"{cents(worker.student_contribution):09d}")
        _el(student, "StudentHoursNbr", int(worker.student_hours.to_integral_value()))
        return
    for seq, job in enumerate(worker.occupations, start=1):
        occupation = etree.SubElement(record, occupation_tag)
        _el(occupation, "OccupationSequenceNbr", f"{seq:02d}")
        _el(occupation, "OccupationStartingDate", job.start.isoformat())
        _el(occupation, "OccupationEndingDate", job.end.isoformat())
        _el(occupation, "JointCommissionNbr", job.joint_committee)
        _el(occupation, "WorkingDaysSystem", 500)
        _el(occupation, "ContractType", 1)  # part time
        _el(occupation, "RefMeanWorkingHours", 3800)
        weeks = Decimal((job.end - job.start).days + 1) / 7
        mean = min(job.hours / max(weeks, Decimal(1)), Decimal(38))
        _el(occupation, "MeanWorkingHours", int((mean * 100).to_integral_value()))
        _el(occupation, "Retired", 0)
        service = etree.SubElement(occupation, "Service")
        _el(service, "ServiceSequenceNbr", "01")
        _el(service, "ServiceCode", "001")
        _el(service, "ServiceNbrDays", f"{int((job.end - job.start).days + 1) * 100:05d}")
        _el(service, "ServiceNbrHours", f"{int((job.hours * 100).to_integral_value()):05d}")
        remun = etree.SubElement(occupation, "Remun")
        _el(remun, "RemunSequenceNbr", "01")
        _el(remun, "RemunCode", "001")
        _el(remun, "RemunAmount", f"{cents(job.gross):011d}")
        if job.exit_simple:
            remun = etree.SubElement(occupation, "Remun")
            _el(remun, "RemunSequenceNbr", "02")
            _el(remun, "RemunCode", REMUN_EXIT_SIMPLE)
            _el(remun, "RemunAmount", f"{cents(job.exit_simple):011d}")
    contribution = etree.SubElement(record, "WorkerContribution")
    _el(contribution, "ContributionWorkerCode", worker.worker_code)
    # Annex 3, manual workers (0xx): type 1 on pay at 108 %, type 0 at 100 %.
    _el(contribution, "ContributionType", 1 if worker.worker_code in MANUAL_CODES else 0)
    _el(contribution, "ContributionCalculationBasis", f"{cents(worker.contribution_basis):011d}")
    _el(contribution, "ContributionAmount", f"{cents(worker.contributions):011d}")
    for code, amount in (("0001", worker.work_bonus), ("3000", worker.structural_reduction)):
        if amount:
            deduction = etree.SubElement(record, "WorkerDeduction")
            _el(deduction, "DeductionCode", code)
            _el(deduction, "DeductionAmount", f"{cents(amount):011d}")


def dmfa_xml(data: DmfaInput) -> bytes:
    root = etree.Element("DmfAOriginal", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", DMFA_SCHEMA)
    form = etree.SubElement(root, "Form")
    _el(form, "Identification", "DMFA")
    _el(form, "FormCreationDate", data.created_at.date().isoformat())
    _el(form, "FormCreationHour", data.created_at.strftime("%H:%M:%S.000"))
    _el(form, "AttestationStatus", 0)
    _el(form, "TypeForm", "SU")
    reference = etree.SubElement(form, "Reference")
    _el(reference, "ReferenceType", 1)
    _el(reference, "ReferenceOrigin", 1)
    _el(reference, "ReferenceNbr", data.reference)
    declaration = etree.SubElement(form, "EmployerDeclaration")
    _el(declaration, "Quarter", data.quarter)
    _el(declaration, "NOSSRegistrationNbr", data.employer_noss)
    _el(declaration, "Trusteeship", 0)
    _el(declaration, "CompanyID", data.company_id or 0)
    _el(declaration, "NetOwedAmount", net_owed(data))
    start, end = quarter_bounds(data.quarter)
    for number, worker in enumerate(data.workers, start=1):
        person = etree.SubElement(declaration, "NaturalPerson")
        _el(person, "NaturalPersonSequenceNbr", f"{number:07d}")
        _el(person, "INSS", worker.inss)
        record = etree.SubElement(person, "WorkerRecord")
        _record_head(record, worker, start, end)
        _record_body(record, worker, occupation_tag="Occupation")
    if data.holiday_special:
        unrelated = etree.SubElement(declaration, "ContributionUnrelatedToNP")
        _el(unrelated, "UnrelatedEmployerClass", "000")
        _el(unrelated, "UnrelatedWorkerCode", HOLIDAY_SPECIAL_WORKER_CODE)
        _el(unrelated, "UnrelatedCalculationBasis", f"{cents(data.holiday_special_basis):011d}")
        _el(unrelated, "UnrelatedAmount", f"{cents(data.holiday_special):011d}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dmfa_errors(document: bytes) -> list[str]:
    return schema_errors(document, DMFA_SCHEMA)


# --- The update (correction) of an accepted declaration -----------------------------------------

DMFA_UPDATE_SCHEMA = "DmfAUpdate_20231.xsd"
# Zone 00618 UpdateAction (glossary DmfAUpdate 2023/3): 0 the worker line is deleted, 1 some of
# its data changed, 3 it is created by the correction, 9 it is unchanged.
DELETED, MODIFIED, CREATED = "0", "1", "3"


@dataclass(frozen=True)
class RecordChange:
    inss: str
    worker_code: str
    action: str
    worker: WorkerLine | None = None  # what the line declares now (none when deleted)


@dataclass(frozen=True)
class UnrelatedChange:
    """A contribution not related to a natural person (today only worker code 870, the special
    contribution on the double exit holiday pay) restated by an update: created (3), modified
    (1) with its new basis and amount, or deleted (0)."""

    worker_code: str
    action: str
    basis: Decimal = Decimal("0")
    amount: Decimal = Decimal("0")


@dataclass(frozen=True)
class DmfaUpdateInput:
    reference: str
    created_at: dt.datetime
    quarter: str
    employer_noss: str
    company_id: str
    pid: str  # the ONSS's permanent number of the accepted declaration (EmployerDeclarationPID)
    person_numbers: dict[str, str]  # INSS -> NaturalPersonSequenceNbr in the accepted one
    changes: tuple[RecordChange, ...]
    unrelated: tuple[UnrelatedChange, ...] = ()


def _canonical(node, out: list[str]) -> None:
    for child in node:
        if child.tag in ("UpdateAction",):
            continue
        tag = "Occupation" if child.tag == "OccupationUpdate" else child.tag
        if len(child):
            out.append(f"{tag}{{")
            _canonical(child, out)
            out.append("}")
        else:
            out.append(f"{tag}={(child.text or '').strip()};")


def record_digest(record) -> str:
    """What a worker line declares, the same whether read from an original (`WorkerRecord`) or
    an update (`WorkerRecordUpdateAction`): the update's action code is left out."""
    import hashlib

    parts: list[str] = []
    _canonical(record, parts)
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def line_digest(worker: WorkerLine, quarter: str) -> str:
    start, end = quarter_bounds(quarter)
    record = etree.Element("WorkerRecord")
    _record_head(record, worker, start, end)
    _record_body(record, worker, occupation_tag="Occupation")
    return record_digest(record)


def declared_lines(payloads: list[bytes]) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """What the ONSS has for the quarter: replaying the accepted original and then its accepted
    updates, per (INSS, worker code) the digest of the line, and per INSS its sequence number."""
    lines: dict[tuple[str, str], str] = {}
    persons: dict[str, str] = {}
    for payload in payloads:
        root = etree.fromstring(payload)
        for person in root.iter("NaturalPerson", "NaturalPersonUpdate"):
            inss = person.findtext("INSS") or ""
            persons.setdefault(inss, person.findtext("NaturalPersonSequenceNbr") or "")
            for record in person.iter("WorkerRecord", "WorkerRecordUpdateAction"):
                key = (inss, record.findtext("WorkerCode") or "")
                action = record.findtext("UpdateAction")
                if action == DELETED:
                    lines.pop(key, None)
                elif action != "9":
                    lines[key] = record_digest(record)
    return lines, persons


def declared_unrelated(payloads: list[bytes]) -> dict[str, tuple[int, int]]:
    """What the ONSS has of the contributions not related to a person: replaying the accepted
    original (`ContributionUnrelatedToNP`) and its accepted updates (`CUNPUpdateAction`), per
    worker code its basis and amount in cents."""
    declared: dict[str, tuple[int, int]] = {}
    for payload in payloads:
        root = etree.fromstring(payload)
        for node in root.iter("ContributionUnrelatedToNP", "CUNPUpdateAction"):
            code = node.findtext("UnrelatedWorkerCode") or ""
            if node.findtext("UpdateAction") == DELETED:
                declared.pop(code, None)
            elif node.findtext("UpdateAction") != "9":
                declared[code] = (
                    int(node.findtext("UnrelatedCalculationBasis") or 0),
                    int(node.findtext("UnrelatedAmount") or 0),
                )
    return declared


def unrelated_changes(
    now: dict[str, tuple[Decimal, Decimal]], declared: dict[str, tuple[int, int]]
) -> tuple[UnrelatedChange, ...]:
    """The contributions not related to a person to restate: `now` per worker code (basis,
    amount) against what the ONSS has; a zero amount now is no contribution."""
    changes = []
    for code, (basis, amount) in sorted(now.items()):
        if not amount:
            continue
        if code not in declared:
            changes.append(UnrelatedChange(code, CREATED, basis, amount))
        elif declared[code] != (cents(basis), cents(amount)):
            changes.append(UnrelatedChange(code, MODIFIED, basis, amount))
    for code in sorted(declared):
        if not now.get(code, (0, 0))[1]:
            changes.append(UnrelatedChange(code, DELETED))
    return tuple(changes)


def line_changes(
    workers: tuple[WorkerLine, ...], declared: dict[tuple[str, str], str], quarter: str
) -> tuple[RecordChange, ...]:
    """The worker lines to send in the update: created, modified or deleted since what the ONSS
    has; an unchanged line is not sent."""
    changes = []
    now = {(w.inss, w.worker_code): w for w in workers}
    for key, worker in now.items():
        if key not in declared:
            changes.append(RecordChange(key[0], key[1], CREATED, worker))
        elif declared[key] != line_digest(worker, quarter):
            changes.append(RecordChange(key[0], key[1], MODIFIED, worker))
    for key in declared:
        if key not in now:
            changes.append(RecordChange(key[0], key[1], DELETED))
    return tuple(sorted(changes, key=lambda c: (c.inss, c.worker_code)))


def dmfa_update_xml(data: DmfaUpdateInput) -> bytes:
    root = etree.Element("DmfAUpdate", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", DMFA_UPDATE_SCHEMA)
    form = etree.SubElement(root, "Form")
    _el(form, "Identification", "DMFAUPD")
    _el(form, "FormCreationDate", data.created_at.date().isoformat())
    _el(form, "FormCreationHour", data.created_at.strftime("%H:%M:%S.000"))
    _el(form, "AttestationStatus", 1)  # the update schema allows only 1
    _el(form, "TypeForm", "SU")
    reference = etree.SubElement(form, "Reference")
    _el(reference, "ReferenceType", 1)
    _el(reference, "ReferenceOrigin", 1)
    _el(reference, "ReferenceNbr", data.reference)
    declaration = etree.SubElement(form, "EmployerDeclarationUpdate")
    _el(declaration, "Quarter", data.quarter)
    _el(declaration, "NOSSRegistrationNbr", data.employer_noss)
    _el(declaration, "Trusteeship", 0)
    _el(declaration, "CompanyID", data.company_id or 0)
    _el(declaration, "EmployerDeclarationPID", data.pid)
    start, end = quarter_bounds(data.quarter)
    numbers = [int(n) for n in data.person_numbers.values() if n.isdigit()]
    next_number = max(numbers, default=0) + 1
    persons: dict[str, list[RecordChange]] = {}
    for change in data.changes:
        persons.setdefault(change.inss, []).append(change)
    for inss, changes in persons.items():
        person = etree.SubElement(declaration, "NaturalPersonUpdate")
        number = data.person_numbers.get(inss, "")
        if not number:
            number, next_number = f"{next_number:07d}", next_number + 1
        _el(person, "NaturalPersonSequenceNbr", number)
        _el(person, "INSS", inss)
        for change in changes:
            action = etree.SubElement(
                etree.SubElement(person, "WorkerRecordUpdate"), "WorkerRecordUpdateAction"
            )
            _el(action, "EmployerClass", "000")
            _el(action, "WorkerCode", change.worker_code)
            _el(action, "NOSSQuarterStartingDate", start.isoformat())
            _el(action, "NOSSQuarterEndingDate", end.isoformat())
            _el(action, "Border", 0)
            _el(action, "UpdateAction", change.action)
            if change.worker is not None:
                _record_body(action, change.worker, occupation_tag="OccupationUpdate")
    for unrelated in data.unrelated:
        action = etree.SubElement(
            etree.SubElement(declaration, "ContributionUnrelatedToNPUpdate"), "CUNPUpdateAction"
        )
        _el(action, "UnrelatedEmployerClass", "000")
        _el(action, "UnrelatedWorkerCode", unrelated.worker_code)
        if unrelated.action != DELETED:
            _el(action, "UnrelatedCalculationBasis", f"{cents(unrelated.basis):011d}")
            _el(action, "UnrelatedAmount", f"{cents(unrelated.amount):011d}")
        _el(action, "UpdateAction", unrelated.action)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dmfa_update_errors(document: bytes) -> list[str]:
    return schema_errors(document, DMFA_UPDATE_SCHEMA)
