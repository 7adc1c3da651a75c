"""DmfA: the quarter's original declaration from the approved payslips, valid against the ONSS
schema 2023/1, with the right worker codes, and amounts equal to the payslips' sums; a worker
without national number keeps it in draft naming them; a new build after acceptance corrects it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from lxml import etree

from declarations import dmfa, services
from declarations.models import Declaration
from payroll import services as payroll
from tests.activities.factories import make_member

from .helpers import INSS, make_contract, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]


def next_month_start() -> dt.date:
    today = dt.date.today()
    return (today.replace(day=28) + dt.timedelta(days=40)).replace(day=1)


def paid(activity, member, kind: str, days: list[int]):
    month = next_month_start()
    contracts = []
    for day in days:
        contract = make_contract(
            activity, start=month + dt.timedelta(days=day), kind=kind, validate=False
        )
        if member is not None:
            type(contract).objects.with_scopes_disabled().filter(pk=contract.pk).update(
                member=member
            )
            contract.refresh_from_db()
        from activities.services import contract_validate

        contracts.append(contract_validate(contract=contract, actor=None))
    payslip = payroll.payslip_compute(
        entity=activity.entity,
        member=contracts[0].member,
        pay_date=month + dt.timedelta(days=40),
        contracts=contracts,
        actor=None,
    )
    return payroll.payslip_approve(payslip=payslip, actor=None, now=timezone.now())


def cents(text: str | None) -> int:
    return int(text or 0)


def test_the_quarter_equals_the_payslips_and_is_schema_valid(entity):
    activity = worker_activity(entity)
    employee = paid(activity, None, "employee", [2, 9])
    student_member = make_member(national_number="90020199745", birth_date=dt.date(2005, 3, 1))
    student = paid(activity, student_member, "student", [4])
    artist_member = make_member(national_number="91031599961", birth_date=dt.date(1991, 3, 15))
    artist = paid(activity, artist_member, "artistic", [6])
    quarter = dmfa.quarter_of(next_month_start())

    declaration = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert declaration.status == "ready", declaration.problems
    document = declaration.payload.encode()
    assert dmfa.dmfa_errors(document) == []
    root = etree.fromstring(document)
    codes = {
        record.findtext("../INSS"): record.findtext("WorkerCode")
        for record in root.iter("WorkerRecord")
    }
    assert codes == {INSS: "495", "90020199745": "841", "91031599961": "046"}

    payslips = [employee, student, artist]

    def line_total(slips, codes):
        return sum(
            Decimal(line["amount"]) for p in slips for line in p.lines if line["code"] in codes
        )

    # the contracts' wages under code 1; the employee's last contract ends, so the payslip pays
    # the exit holiday pay: its simple part is remuneration code 7 of the contract that ends
    ordinary_remun = sum(
        cents(r.findtext("RemunAmount"))
        for r in root.iter("Remun")
        if r.findtext("RemunCode") == "001"
    ) + sum(cents(e.text) for e in root.iter("StudentRemunAmount"))
    wages = sum(
        p.gross - sum(Decimal(x["amount"]) for x in p.lines if x["side"] == "earning")
        for p in payslips
    )
    assert ordinary_remun == int(wages * 100)
    exit_remun = [
        (r.getparent().findtext("OccupationEndingDate"), cents(r.findtext("RemunAmount")))
        for r in root.iter("Remun")
        if r.findtext("RemunCode") == "007"
    ]
    last_end = max(p.contract.end_date for p in employee.paid_contracts.all())
    simple = line_total([employee], ("exit_holiday_simple",))
    assert simple > 0 and exit_remun == [(last_end.isoformat(), int(simple * 100))]
    employee_basis = next(
        cents(c.findtext("ContributionCalculationBasis"))
        for c in root.iter("WorkerContribution")
        if c.findtext("ContributionWorkerCode") == "495"
    )
    assert employee_basis == int((employee.gross - line_total([employee], (
        "exit_holiday_simple", "exit_holiday_double", "exit_holiday_additional"
    )) + simple) * 100)  # fmt: skip
    # the special contribution on the double part: once for the employer, worker code 870
    (unrelated,) = root.iter("ContributionUnrelatedToNP")
    assert unrelated.findtext("UnrelatedWorkerCode") == "870"
    double = line_total([employee], ("exit_holiday_double",))
    special = cents(unrelated.findtext("UnrelatedAmount"))
    assert cents(unrelated.findtext("UnrelatedCalculationBasis")) == int(double * 100) > 0
    assert special == int(line_total([employee], ("exit_holiday_special_contribution",)) * 100)

    ordinary = sum(cents(e.text) for e in root.iter("ContributionAmount"))
    assert ordinary == int(line_total([employee, artist], dmfa.CONTRIBUTIONS) * 100)
    solidarity = sum(cents(e.text) for e in root.iter("StudentContributionAmount"))
    assert solidarity == int(line_total([student], dmfa.STUDENT) * 100) > 0
    deductions = sum(cents(e.text) for e in root.iter("DeductionAmount"))
    expected_deductions = -line_total(
        [employee, artist], (*dmfa.WORK_BONUS, "structural_reduction")
    )
    assert deductions == int(expected_deductions * 100)
    assert cents(root.findtext(".//NetOwedAmount")) == (
        ordinary + solidarity - deductions + special
    )
    assert root.findtext(".//StudentHoursNbr") == "8"
    quarter_end = dmfa.quarter_bounds(quarter)[1]
    due = timezone.localtime(declaration.due_at).date()
    assert due.month == (quarter_end.month % 12) + 1 and (due + dt.timedelta(days=1)).day == 1


def test_a_worker_without_national_number_keeps_the_dmfa_in_draft(entity):
    activity = worker_activity(entity)
    paid(activity, None, "employee", [2])
    nameless = make_member(national_number="", first_name="Noa", last_name="Nobody")
    paid(activity, nameless, "employee", [5])
    declaration = services.dmfa_build_quarter(
        entity=entity, quarter=dmfa.quarter_of(next_month_start()), actor=None
    )
    assert declaration.status == "draft" and declaration.payload == ""
    assert declaration.problems == [
        {
            "field": "member.national_number",
            "message": "Noa Nobody: no national number (INSZ/NISS) for the DmfA",
        }
    ]


def test_a_quarter_without_payslips_is_not_filed_and_a_rebuild_after_acceptance_corrects(entity):
    quarter = dmfa.quarter_of(next_month_start())
    empty = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert empty.status == "draft" and empty.problems[0]["field"] == "payslips"
    activity = worker_activity(entity)
    paid(activity, None, "employee", [2])
    first = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    empty.refresh_from_db()
    assert empty.status == "withdrawn" and first.status == "ready"
    Declaration.objects.with_scopes_disabled().filter(pk=first.pk).update(status="accepted")
    second = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert second.corrects_id == first.pk


def test_payroll_builds_the_quarter_with_one_action_and_records_the_answer(entity, client):
    from django.urls import reverse

    from tests.factories import staff_user

    activity = worker_activity(entity)
    paid(activity, None, "employee", [2])
    quarter = dmfa.quarter_of(next_month_start())
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    assert client.post(reverse("declarations:dmfa"), {"quarter": "nonsense"}).status_code == 302
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dmfa").exists()
    built = client.post(reverse("declarations:dmfa"), {"quarter": quarter})
    declaration = Declaration.objects.with_scopes_disabled().get(kind="dmfa")
    assert built["Location"] == reverse("declarations:detail", args=[declaration.public_id])
    page = client.get(built["Location"]).content.decode()
    assert "file it with the ONSS, then record its answer" in page
    client.post(built["Location"], {"action": "acknowledged", "reference": "PID-123456"})
    declaration.refresh_from_db()
    assert declaration.status == "accepted" and declaration.authority_reference == "PID-123456"
