"""Pure builders: frozen inputs in, the file out. No ORM, no clock: the same inputs give the same
bytes (the creation time is an input). Checks that find a problem return it instead of raising,
so a declaration can stay in draft naming every field to fix.

- Dimona (Belgium): the batch XML of `schemas/Dimona_20231.xsd` (file outbox) and the JSON body
  of the ONSS REST v2 web service (HTTP channel), IN / UPDATE / CANCEL / OUT.
- DPAE (France): a JSON document of the content of Code du travail R1221-1 (no official schema
  was available offline: the shape is ours).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"
DIMONA_SCHEMA = "Dimona_20231.xsd"
DIMONA_WORKER_TYPES = frozenset(
    [
        "A17",
        "ALT",
        "BCW",
        "DWD",
        "EXT",
        "FLX",
        "IVT",
        "O17",
        "PMP",
        "RTA",
        "S17",
        "STU",
        "T17",
        "TEA",
        "TRI",
        "STG",
        "OTH",
    ]
)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Zone 00046: the joint committees the Dimona asks for; any other is declared as "XXX".
DIMONA_JOINT_COMMITTEES = frozenset({"124", "140", "144", "145", "149", "302", "320", "322"})


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def _problem(where: str, field: str, message: str) -> Problem:
    """A problem named by the contract and the field (translated in the builder's language)."""
    return Problem(field, f"{where}: {message}")


@dataclass(frozen=True)
class DimonaForm:
    """One Dimona message. `kind`: in, update, cancel, out."""

    kind: str
    reference: str
    created_at: dt.datetime
    employer_noss: str
    enterprise_number: str
    inss: str = ""
    start_date: dt.date | None = None
    start_hour: str = ""  # HHMM
    end_date: dt.date | None = None
    end_hour: str = ""
    joint_committee: str = ""
    worker_type: str = ""
    planned_hours: int | None = None
    period_id: str = ""


@dataclass(frozen=True)
class ContractFacts:
    """What a Dimona or DPAE needs of a contract, its worker and its employer."""

    contract_ref: str  # shown to staff: "contract 2026-07-01 Sam Member"
    contract_type: str
    start_date: dt.date
    end_date: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    hours: Decimal | None
    joint_committee: str
    national_number: str
    last_name: str
    first_name: str
    birth_date: dt.date | None
    employer_number: str
    enterprise_number: str


def hhmm(value: dt.time | None) -> str:
    return value.strftime("%H%M") if value else ""


def quarter_segments(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The parts of [start, end] inside each calendar quarter (a student's planned hours are
    declared per quarter)."""
    segments = []
    cursor = start
    while cursor <= end:
        q_end_month = ((cursor.month - 1) // 3) * 3 + 3
        next_q = dt.date(cursor.year + (q_end_month == 12), q_end_month % 12 + 1, 1)
        seg_end = min(end, next_q - dt.timedelta(days=1))
        segments.append((cursor, seg_end))
        cursor = seg_end + dt.timedelta(days=1)
    return segments


def planned_hours(
    total: Decimal, contract: tuple[dt.date, dt.date], part: tuple[dt.date, dt.date]
) -> int:
    """The contract's hours falling in `part`, pro rata of calendar days, rounded up (the zone
    takes whole hours, 1 to 999)."""
    days = (contract[1] - contract[0]).days + 1
    share = Decimal((part[1] - part[0]).days + 1) / Decimal(days)
    return int((total * share).to_integral_value(rounding=ROUND_CEILING))


def dimona_in_problems(
    facts: ContractFacts, *, worker_types: dict, joint_committees: dict
) -> list[Problem]:
    problems = []
    where = facts.contract_ref
    if not facts.employer_number:
        problems.append(
            _problem(where, "entity.employer_number", _("the employer has no ONSS number"))
        )
    if not facts.national_number:
        problems.append(
            _problem(
                where, "member.national_number", _("the worker has no national number (INSZ/NISS)")
            )
        )
    elif len(facts.national_number) != 11 or not facts.national_number.isdigit():
        problems.append(
            _problem(
                where, "member.national_number", _("the worker's national number is not 11 digits")
            )
        )
    worker_type = worker_types.get(facts.contract_type)
    if worker_type not in DIMONA_WORKER_TYPES:
        problems.append(
            _problem(
                where,
                "contract.contract_type",
                _("no Dimona worker type for the contract type '%(type)s'")
                % {"type": facts.contract_type},
            )
        )
    if not facts.hours or facts.hours <= 0:
        problems.append(_problem(where, "contract.hours", _("the contract has no hours")))
    elif worker_type == "STU":
        for part in quarter_segments(facts.start_date, facts.end_date):
            hours = planned_hours(facts.hours, (facts.start_date, facts.end_date), part)
            if hours > 999:
                problems.append(
                    _problem(
                        where,
                        "contract.hours",
                        _("%(hours)s planned hours in one quarter (999 at most)")
                        % {"hours": hours},
                    )
                )
    if not (facts.joint_committee or joint_committees.get(facts.contract_type)):
        problems.append(_problem(where, "contract.joint_committee", _("no joint committee")))
    return problems


def dimona_in_forms(
    facts: ContractFacts,
    *,
    references: list[str],
    created_at: dt.datetime,
    worker_types: dict,
    joint_committees: dict,
    closed_by_out: bool = False,
) -> list[DimonaForm]:
    """The IN messages of a contract: one, or for a student one per quarter with the planned
    hours of that quarter (`references` holds one reference per quarter). An open-ended
    employment (`closed_by_out`) is declared without its end: a Dimona OUT closes it."""
    worker_type = worker_types[facts.contract_type]
    # The Dimona names the committee without its sub-committee (zone 00046: 3 characters).
    # (the parameter loader reads "322" in the table as a Decimal: compare text)
    committee = str(facts.joint_committee or joint_committees[facts.contract_type]).split(".")[0]
    if committee not in DIMONA_JOINT_COMMITTEES:
        committee = "XXX"
    parts = (
        quarter_segments(facts.start_date, facts.end_date)
        if worker_type == "STU"
        else [(facts.start_date, facts.end_date)]
    )
    assert facts.hours is not None
    forms = []
    for reference, part in zip(references, parts, strict=True):
        forms.append(
            DimonaForm(
                kind="in",
                reference=reference,
                created_at=created_at,
                employer_noss=facts.employer_number,
                enterprise_number=facts.enterprise_number,
                inss=facts.national_number,
                start_date=part[0],
                start_hour=hhmm(facts.start_time) if part[0] == facts.start_date else "",
                end_date=None if closed_by_out else part[1],
                end_hour=hhmm(facts.end_time)
                if part[1] == facts.end_date and not closed_by_out
                else "",
                joint_committee=committee,
                worker_type=worker_type,
                planned_hours=(
                    planned_hours(facts.hours, (facts.start_date, facts.end_date), part)
                    if worker_type == "STU"
                    else None
                ),
            )
        )
    return forms


def _el(parent, tag: str, text=None):
    node = etree.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    return node


def _employer(parent, form: DimonaForm) -> None:
    employer = _el(parent, "EmployerId")
    _el(employer, "NOSSRegistrationNbr", form.employer_noss)
    if form.enterprise_number:
        _el(employer, "CompanyID", form.enterprise_number)


def dimona_form_element(form: DimonaForm):
    node = etree.Element("Form")
    _el(node, "Identification", "DIMONA")
    _el(node, "FormCreationDate", form.created_at.date().isoformat())
    _el(
        node,
        "FormCreationHour",
        form.created_at.strftime("%H:%M:%S.") + f"{form.created_at.microsecond // 1000:03d}",
    )
    _el(node, "AttestationStatus", 0)
    _el(node, "TypeForm", "SU")
    reference = _el(node, "Reference")
    _el(reference, "ReferenceType", 1)
    _el(reference, "ReferenceOrigin", 1)
    _el(reference, "ReferenceNbr", form.reference)
    if form.kind == "in":
        body = _el(node, "DimonaIn")
        _el(body, "StartingDate", form.start_date.isoformat() if form.start_date else None)
        if form.start_hour:
            _el(body, "StartingHour", form.start_hour)
        if form.end_date:
            _el(body, "EndingDate", form.end_date.isoformat())
        if form.end_hour:
            _el(body, "EndingHour", form.end_hour)
        if form.planned_hours:
            _el(body, "PlannedHoursNbr", form.planned_hours)
        _employer(body, form)
        _el(_el(body, "NaturalPerson"), "INSS", form.inss)
        features = _el(body, "DimonaFeatures")
        _el(features, "JointCommissionNbr", form.joint_committee)
        _el(features, "WorkerType", form.worker_type)
    elif form.kind == "update":
        body = _el(node, "DimonaUpdate")
        _el(body, "DimonaPeriodId", form.period_id)
        if form.start_date:
            _el(body, "StartingDate", form.start_date.isoformat())
        if form.start_hour:
            _el(body, "StartingHour", form.start_hour)
        if form.end_date:
            _el(body, "EndingDate", form.end_date.isoformat())
        if form.end_hour:
            _el(body, "EndingHour", form.end_hour)
        if form.planned_hours:
            _el(body, "PlannedHoursNbr", form.planned_hours)
        _employer(body, form)
    elif form.kind == "cancel":
        body = _el(node, "DimonaCancel")
        _el(body, "DimonaPeriodId", form.period_id)
        _employer(body, form)
    elif form.kind == "out":
        body = _el(node, "DimonaOut")
        _el(body, "DimonaPeriodId", form.period_id)
        _el(body, "EndingDate", form.end_date.isoformat() if form.end_date else None)
        _employer(body, form)
    else:
        raise ValueError(f"unknown Dimona kind {form.kind!r}")
    return node


def dimona_xml(forms: list[DimonaForm]) -> bytes:
    """A Dimona batch document with one Form per message, in the order given."""
    root = etree.Element("Dimona", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", DIMONA_SCHEMA)
    for form in forms:
        root.append(dimona_form_element(form))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dimona_batch(payloads: list[str]) -> bytes:
    """One batch file from the payloads of several declarations (each a Dimona document)."""
    root = etree.Element("Dimona", nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", DIMONA_SCHEMA)
    for payload in payloads:
        for form in etree.fromstring(payload.encode()).findall("Form"):
            root.append(form)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@lru_cache(maxsize=4)
def schema(name: str):
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def schema_errors(document: bytes, name: str = DIMONA_SCHEMA) -> list[str]:
    checker = schema(name)
    if checker.validate(etree.fromstring(document)):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]


def dimona_rest_body(form: DimonaForm) -> dict:
    """The JSON body of the ONSS Dimona REST v2 web service for one message (shape from the
    MIT client hyperlab-be/laravel-dimona, shared/payroll-formats README §2: SECONDARY)."""
    employer = {"nssoRegistrationNumber": form.employer_noss}
    if form.enterprise_number:
        employer["enterpriseNumber"] = form.enterprise_number
    if form.kind == "in":
        body: dict = {
            "startDate": form.start_date.isoformat() if form.start_date else None,
            "features": {
                "jointCommissionNumber": form.joint_committee,
                "workerType": form.worker_type,
            },
        }
        if form.end_date:
            body["endDate"] = form.end_date.isoformat()
        if form.start_hour:
            body["startHour"] = form.start_hour
        if form.end_hour:
            body["endHour"] = form.end_hour
        if form.planned_hours:
            body["plannedHoursNumber"] = form.planned_hours
        return {"employer": employer, "worker": {"ssin": form.inss}, "dimonaIn": body}
    if form.kind == "update":
        body = {"periodId": int(form.period_id)}
        for key, value in (("startDate", form.start_date), ("endDate", form.end_date)):
            if value:
                body[key] = value.isoformat()
        if form.planned_hours:
            body["plannedHoursNumber"] = form.planned_hours
        return {"employer": employer, "dimonaUpdate": body}
    if form.kind == "cancel":
        return {"employer": employer, "dimonaCancel": {"periodId": int(form.period_id)}}
    return {
        "employer": employer,
        "dimonaOut": {
            "periodId": int(form.period_id),
            "endDate": form.end_date.isoformat() if form.end_date else None,
        },
    }


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


# --- DPAE (France) ------------------------------------------------------------------------------


def dpae_problems(facts: ContractFacts, *, natures: dict) -> list[Problem]:
    problems = []
    where = facts.contract_ref
    if not facts.employer_number:
        problems.append(_problem(where, "entity.employer_number", _("the employer has no SIRET")))
    if not facts.national_number:
        problems.append(_problem(where, "member.national_number", _("the worker has no NIR")))
    if not facts.birth_date:
        problems.append(
            _problem(where, "member.birth_date", _("the worker's birth date is missing"))
        )
    if facts.contract_type not in natures:
        problems.append(
            _problem(
                where,
                "contract.contract_type",
                _("no DPAE for the contract type '%(type)s'") % {"type": facts.contract_type},
            )
        )
    if not facts.hours or facts.hours <= 0:
        problems.append(_problem(where, "contract.hours", _("the contract has no hours")))
    return problems


@dataclass(frozen=True)
class DpaeForm:
    reference: str
    created_at: dt.datetime
    siret: str
    nir: str
    last_name: str
    first_name: str
    birth_date: dt.date
    hiring_date: dt.date
    hiring_hour: str
    nature: str
    end_date: dt.date | None


def dpae_form(
    facts: ContractFacts, *, reference: str, created_at: dt.datetime, natures: dict
) -> DpaeForm:
    nature = natures[facts.contract_type]
    assert facts.birth_date is not None
    return DpaeForm(
        reference=reference,
        created_at=created_at,
        siret=facts.employer_number,
        nir=facts.national_number,
        last_name=facts.last_name,
        first_name=facts.first_name,
        birth_date=facts.birth_date,
        hiring_date=facts.start_date,
        hiring_hour=(facts.start_time or dt.time(0, 0)).strftime("%H:%M"),
        nature=nature,
        end_date=facts.end_date if nature == "CDD" else None,
    )


def dpae_json(form: DpaeForm) -> str:
    data = asdict(form)
    data["created_at"] = form.created_at.isoformat()
    return canonical_json({"dpae": data})


@dataclass(frozen=True)
class DpaeCancellation:
    """The cancellation of a DPAE already filed (the hiring it declares will not happen as
    declared). Like the DPAE, the shape is ours: no official message was available offline."""

    reference: str
    created_at: dt.datetime
    siret: str
    nir: str
    cancels: str  # our reference of the DPAE cancelled
    acknowledgement: str  # URSSAF's acknowledgement number of that DPAE
    hiring_date: dt.date  # the hiring it declared
    hiring_hour: str
    reason: str  # "dates_changed" or "contract_cancelled"


def dpae_cancellation_problems(facts: ContractFacts) -> list[Problem]:
    problems = []
    if not facts.employer_number:
        problems.append(
            _problem(facts.contract_ref, "entity.employer_number", _("the employer has no SIRET"))
        )
    if not facts.national_number:
        problems.append(
            _problem(facts.contract_ref, "member.national_number", _("the worker has no NIR"))
        )
    return problems


def dpae_cancellation_json(form: DpaeCancellation) -> str:
    data = asdict(form)
    data["created_at"] = form.created_at.isoformat()
    return canonical_json({"dpae_cancellation": data})
