"""DmfA update: once the original DmfA of a quarter is accepted, a payslip corrected in the quarter
makes the next build a `DmfAUpdate` valid against the ONSS schema, naming the accepted one's PID
and carrying only the worker lines that changed."""

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

from .helpers import INSS, worker_activity
from .test_dmfa import next_month_start, paid

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]


def accept(declaration, pid: str) -> None:
    services.declaration_record_answer(
        declaration=declaration, accepted=True, reference=pid, message="", actor=None
    )


def test_a_corrected_payslip_after_acceptance_makes_a_schema_valid_update(entity):
    activity = worker_activity(entity)
    first = paid(activity, None, "employee", [2])
    kept = make_member(national_number="90020199745", birth_date=dt.date(1990, 2, 1))
    paid(activity, kept, "employee", [5])
    quarter = dmfa.quarter_of(next_month_start())
    original = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert original.status == "ready" and original.kind == "dmfa"
    accept(original, "12345678901")

    unchanged = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert unchanged.kind == "dmfa_update" and unchanged.status == "draft"
    assert unchanged.problems[0]["message"] == (
        f"nothing changed since the accepted DmfA of {quarter}"
    )

    # The first worker's payslip is reversed by a correction payslip; a new worker is paid.
    reversal = payroll.payslip_correct(payslip=first, pay_date=first.pay_date, actor=None)
    payroll.payslip_approve(payslip=reversal, actor=None, now=timezone.now())
    newcomer = make_member(national_number="91031599961", birth_date=dt.date(1991, 3, 15))
    added = paid(activity, newcomer, "artistic", [6])
    update = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    unchanged.refresh_from_db()
    assert unchanged.status == "withdrawn"
    assert update.status == "ready", update.problems
    assert update.kind == "dmfa_update" and update.corrects_id == original.pk
    document = update.payload.encode()
    assert dmfa.dmfa_update_errors(document) == []
    root = etree.fromstring(document)
    assert root.tag == "DmfAUpdate" and root.findtext(".//Identification") == "DMFAUPD"
    assert root.findtext(".//EmployerDeclarationPID") == "12345678901"
    actions = {
        (a.findtext("../../INSS"), a.findtext("WorkerCode")): a.findtext("UpdateAction")
        for a in root.iter("WorkerRecordUpdateAction")
    }
    # The reversed worker's line is deleted, the new artist's created, the other one not sent.
    assert actions == {(INSS, "495"): "0", ("91031599961", "046"): "3"}
    created = next(
        a for a in root.iter("WorkerRecordUpdateAction") if a.findtext("UpdateAction") == "3"
    )
    assert created.findtext(".//RemunAmount") == f"{int(added.gross * 100):011d}"
    assert created.find("OccupationUpdate") is not None
    # The sequence number of a person already declared is the original's.
    numbers = {
        p.findtext("INSS"): p.findtext("NaturalPersonSequenceNbr")
        for p in etree.fromstring(original.payload.encode()).iter("NaturalPerson")
    }
    updated = {
        p.findtext("INSS"): p.findtext("NaturalPersonSequenceNbr")
        for p in root.iter("NaturalPersonUpdate")
    }
    assert updated[INSS] == numbers[INSS] and updated["91031599961"] not in numbers.values()

    # Once the update is accepted, the next correction compares with original + update.
    accept(update, "ack-2")
    again = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert again.kind == "dmfa_update" and again.status == "draft"
    assert again.corrects_id == update.pk
    assert "nothing changed" in again.problems[0]["message"]


def test_an_update_needs_the_pid_of_the_accepted_declaration(entity):
    activity = worker_activity(entity)
    paid(activity, None, "employee", [2])
    quarter = dmfa.quarter_of(next_month_start())
    original = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    accept(original, "acknowledged by phone")
    update = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert update.kind == "dmfa_update" and update.status == "draft"
    assert update.problems[0]["field"] == "authority_reference"
    assert update.payload == ""


def test_the_original_amounts_leave_out_a_reversed_payslip_and_its_reversal(entity):
    activity = worker_activity(entity)
    first = paid(activity, None, "employee", [2])
    kept = make_member(national_number="90020199745", birth_date=dt.date(1990, 2, 1))
    other = paid(activity, kept, "employee", [5])
    reversal = payroll.payslip_correct(payslip=first, pay_date=first.pay_date, actor=None)
    payroll.payslip_approve(payslip=reversal, actor=None, now=timezone.now())
    quarter = dmfa.quarter_of(next_month_start())
    declaration = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert declaration.status == "ready"
    root = etree.fromstring(declaration.payload.encode())
    assert [p.findtext("INSS") for p in root.iter("NaturalPerson")] == ["90020199745"]
    remun = sum(
        int(r.findtext("RemunAmount"))
        for r in root.iter("Remun")
        if r.findtext("RemunCode") == "001"
    )
    # the contracts' wages under code 1 (the exit holiday pay's simple part is code 7)
    wages = sum(
        p.gross - sum(Decimal(x["amount"]) for x in p.lines if x["side"] == "earning")
        for p in (first, reversal, other)
    )
    assert Decimal(remun) / 100 == wages
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dmfa_update").exists()


def test_an_update_restates_the_special_contribution_on_exit_holiday_pay(entity):
    """Worker code 870 (13.07 % on the double exit holiday pay, once for the employer): when a
    payslip paying it is reversed after the original was accepted, the update declares the
    quarter's new basis and amount, and once accepted the next build finds nothing changed."""
    activity = worker_activity(entity)
    first = paid(activity, None, "employee", [2])
    kept = make_member(national_number="90020199745", birth_date=dt.date(1990, 2, 1))
    other = paid(activity, kept, "employee", [5])
    quarter = dmfa.quarter_of(next_month_start())
    original = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    (declared,) = etree.fromstring(original.payload.encode()).iter("ContributionUnrelatedToNP")

    def total(slips, code):
        return sum(Decimal(x["amount"]) for p in slips for x in p.lines if x["code"] == code)

    both = [first, other]
    assert int(declared.findtext("UnrelatedAmount")) == int(
        total(both, "exit_holiday_special_contribution") * 100
    )
    accept(original, "12345678901")

    reversal = payroll.payslip_correct(payslip=first, pay_date=first.pay_date, actor=None)
    payroll.payslip_approve(payslip=reversal, actor=None, now=timezone.now())
    update = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert update.status == "ready", update.problems
    document = update.payload.encode()
    assert dmfa.dmfa_update_errors(document) == []
    (restated,) = etree.fromstring(document).iter("CUNPUpdateAction")
    assert restated.findtext("UnrelatedWorkerCode") == "870"
    assert restated.findtext("UpdateAction") == "1"  # modified
    special = total([other], "exit_holiday_special_contribution")
    assert 0 < special < total(both, "exit_holiday_special_contribution")
    assert int(restated.findtext("UnrelatedAmount")) == int(special * 100)
    assert int(restated.findtext("UnrelatedCalculationBasis")) == int(
        total([other], "exit_holiday_double") * 100
    )
    assert update.inputs["unrelated"]["870"]["amount"] == str(special)

    accept(update, "ack-2")
    again = services.dmfa_build_quarter(entity=entity, quarter=quarter, actor=None)
    assert again.status == "draft" and "nothing changed" in again.problems[0]["message"]
