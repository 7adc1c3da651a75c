"""The pure builders: every Dimona message valid against the ONSS schema 2023/1 the product
carries, the same inputs giving the same bytes, students declared per quarter, and problems
naming the contract and the field instead of a half-built file."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from lxml import etree

from declarations import builders
from declarations.builders import ContractFacts, DimonaForm

WORKER_TYPES = {
    "employee": "OTH",
    "artistic": "OTH",
    "student": "STU",
    "flexi": "FLX",
    "horeca_extra": "EXT",
}
COMMITTEES = {
    "employee": "XXX",
    "artistic": "XXX",
    "student": "XXX",
    "flexi": "302",
    "horeca_extra": "302",
}
AT = dt.datetime(2026, 6, 1, 9, 30, 15, 250_000)
FACTS = ContractFacts(
    contract_ref="contract 2026-06-10 of Sam Member",
    contract_type="employee",
    start_date=dt.date(2026, 6, 10),
    end_date=dt.date(2026, 6, 10),
    start_time=dt.time(9, 0),
    end_time=dt.time(17, 30),
    hours=Decimal("8"),
    joint_committee="",
    national_number="85073003328",
    last_name="Member",
    first_name="Sam",
    birth_date=dt.date(1985, 7, 30),
    employer_number="175110801",
    enterprise_number="0403170701",
)
ONSS_SAMPLES = Path(__file__).parent / "samples"


def forms_of(facts, refs=("r1",)):
    return builders.dimona_in_forms(
        facts,
        references=list(refs),
        created_at=AT,
        worker_types=WORKER_TYPES,
        joint_committees=COMMITTEES,
    )


def test_the_carried_schema_accepts_the_onss_samples_and_refuses_a_broken_one():
    for sample in sorted(ONSS_SAMPLES.glob("Dimona_20231_*.xml")):
        assert builders.schema_errors(sample.read_bytes()) == [], sample.name
    broken = ONSS_SAMPLES.joinpath("Dimona_20231_1.xml").read_bytes().replace(b"TRI", b"XYZ")
    assert builders.schema_errors(broken)


def test_every_worker_type_and_message_kind_is_schema_valid():
    forms = []
    for contract_type in WORKER_TYPES:
        forms += forms_of(replace(FACTS, contract_type=contract_type), refs=[f"in-{contract_type}"])
    base = {
        "created_at": AT,
        "employer_noss": "175110801",
        "enterprise_number": "0403170701",
        "period_id": "123456789012",
    }
    forms += [
        DimonaForm(
            kind="update",
            reference="u1",
            start_date=dt.date(2026, 6, 11),
            end_date=dt.date(2026, 6, 12),
            **base,
        ),
        DimonaForm(kind="cancel", reference="c1", **base),
        DimonaForm(kind="out", reference="o1", end_date=dt.date(2026, 6, 12), **base),
    ]
    document = builders.dimona_xml(forms)
    assert builders.schema_errors(document) == []
    root = etree.fromstring(document)
    assert [f[-1].tag for f in root.findall("Form")][-3:] == [
        "DimonaUpdate",
        "DimonaCancel",
        "DimonaOut",
    ]
    types = [t.text for t in root.iter("WorkerType")]
    assert types == ["OTH", "OTH", "STU", "FLX", "EXT"]
    one = root.findall("Form")[0]
    assert (
        one.findtext("DimonaIn/StartingHour") == "0900"
        and one.findtext("DimonaIn/EndingHour") == "1730"
    )
    assert one.findtext("DimonaIn/DimonaFeatures/JointCommissionNbr") == "XXX"
    assert one.findtext("Reference/ReferenceNbr") == "in-employee"


def test_the_same_inputs_give_the_same_bytes():
    assert builders.dimona_xml(forms_of(FACTS)) == builders.dimona_xml(forms_of(FACTS))
    later = builders.dimona_in_forms(
        FACTS,
        references=["r1"],
        created_at=AT + dt.timedelta(seconds=1),
        worker_types=WORKER_TYPES,
        joint_committees=COMMITTEES,
    )
    assert builders.dimona_xml(later) != builders.dimona_xml(forms_of(FACTS))


def test_a_student_is_declared_per_quarter_with_the_planned_hours_of_each():
    student = replace(
        FACTS,
        contract_type="student",
        start_date=dt.date(2026, 6, 21),
        end_date=dt.date(2026, 7, 10),
        hours=Decimal("100"),
    )
    forms = forms_of(student, refs=["q2", "q3"])
    assert [(f.start_date, f.end_date, f.planned_hours) for f in forms] == [
        (dt.date(2026, 6, 21), dt.date(2026, 6, 30), 50),  # 10 of 20 days
        (dt.date(2026, 7, 1), dt.date(2026, 7, 10), 50),
    ]
    assert forms[0].start_hour == "0900" and forms[0].end_hour == ""
    assert builders.schema_errors(builders.dimona_xml(forms)) == []
    assert (
        etree.fromstring(builders.dimona_xml(forms)).findtext("Form/DimonaIn/PlannedHoursNbr")
        == "50"
    )


def test_bad_input_names_the_contract_and_the_field():
    bad = replace(
        FACTS, national_number="", contract_type="mystery", hours=Decimal("0"), employer_number=""
    )
    problems = builders.dimona_in_problems(
        bad, worker_types=WORKER_TYPES, joint_committees=COMMITTEES
    )
    fields = [p.field for p in problems]
    assert fields == [
        "entity.employer_number",
        "member.national_number",
        "contract.contract_type",
        "contract.hours",
        "contract.joint_committee",
    ]
    assert all(p.message.startswith("contract 2026-06-10 of Sam Member:") for p in problems)
    assert "'mystery'" in problems[2].message
    assert (
        builders.dimona_in_problems(FACTS, worker_types=WORKER_TYPES, joint_committees=COMMITTEES)
        == []
    )
    too_many = replace(FACTS, contract_type="student", hours=Decimal("1200"))
    assert [
        p.field
        for p in builders.dimona_in_problems(
            too_many, worker_types=WORKER_TYPES, joint_committees=COMMITTEES
        )
    ] == ["contract.hours"]


def test_the_web_service_body_carries_the_same_facts():
    body = builders.dimona_rest_body(forms_of(replace(FACTS, contract_type="student"))[0])
    assert body["worker"] == {"ssin": "85073003328"}
    assert body["dimonaIn"]["features"] == {"jointCommissionNumber": "XXX", "workerType": "STU"}
    assert body["dimonaIn"]["plannedHoursNumber"] == 8
    cancel = DimonaForm(
        kind="cancel",
        reference="c",
        created_at=AT,
        employer_noss="175110801",
        enterprise_number="",
        period_id="42",
    )
    assert builders.dimona_rest_body(cancel)["dimonaCancel"] == {"periodId": 42}


def test_a_dpae_holds_the_r1221_1_content_and_refuses_a_missing_nir():
    natures = {"cddu": "CDD", "cdi": "CDI"}
    facts = replace(
        FACTS,
        contract_type="cddu",
        employer_number="73282932000074",
        national_number="185077505612345",
    )
    data = json.loads(
        builders.dpae_json(
            builders.dpae_form(facts, reference="d1", created_at=AT, natures=natures)
        )
    )["dpae"]
    assert (
        data["nature"] == "CDD"
        and data["end_date"] == "2026-06-10"
        and data["hiring_hour"] == "09:00"
    )
    assert data["siret"] == "73282932000074" and data["nir"] == "185077505612345"
    problems = builders.dpae_problems(
        replace(facts, national_number="", contract_type="cape"), natures=natures
    )
    assert [p.field for p in problems] == ["member.national_number", "contract.contract_type"]


def test_a_contracts_committee_is_declared_by_its_three_digits_in_the_schemas_list():
    """Staff may record a sub-committee (302.01): the Dimona names the committee (zone 00046,
    3 characters) when the schema lists it, else XXX — the file stays schema-valid."""
    declared = {}
    for committee in ("302.01", "124", "200", "304"):
        form = forms_of(replace(FACTS, joint_committee=committee))[0]
        declared[committee] = form.joint_committee
        assert builders.schema_errors(builders.dimona_xml([form])) == []
    assert declared == {"302.01": "302", "124": "124", "200": "XXX", "304": "XXX"}


def test_a_contract_naming_no_committee_is_declared_with_the_packs_table_as_loaded():
    """The parameter loader reads the quoted "322" of `be.dimona_joint_committee` as a number:
    an agency contract naming none is still declared 322, not XXX."""
    from smartcoop.countries import param

    table = param("be.dimona_joint_committee", on=dt.date(2026, 6, 1))
    agency = replace(FACTS, contract_type="temporary_agency", joint_committee="")
    form = builders.dimona_in_forms(
        agency,
        references=["r1"],
        created_at=AT,
        worker_types={"temporary_agency": "OTH"},
        joint_committees=table,
    )[0]
    assert form.joint_committee == "322"
