"""Correcting an approved payslip from the staff payslip page: a reason is required and
audited, the reversal is numbered, and the contracts are paid again by a replacement payslip;
the database keeps a contract paid once per payslip that is not reversed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from activities.models import EmploymentContract, LedgerEntry
from payroll import services as payslip_services
from payroll.corrections import payslip_correction_start
from payroll.models import Payslip, PayslipContract
from payroll.runs import services
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.factories import LegalEntityFactory, staff_user
from tests.payroll.runs_setup import due_contract, funded_activity, worker

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def paid():
    """A worker paid by a posted run: one approved payslip of two contracts, marked paid."""
    activity = funded_activity()
    member = worker(activity)
    contracts = [
        due_contract(activity, member, day=2),
        due_contract(activity, member, day=4, gross="300.00"),
    ]
    pay_date = max(c.wage_due_on for c in contracts)
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        for chunk in services.payrun_compute_chunks(run=run):
            for item_id in chunk:
                services.payrun_item_compute(item_id=item_id)
        services.payrun_compute_finish(run_id=run.pk)
        run.refresh_from_db()
        services.payrun_approve(run=run, actor=None)
        for step in (services.payrun_render, services.payrun_pay, services.payrun_post):
            step(run_id=run.pk)
        payslip = Payslip.objects.get(member=member, status=Payslip.Status.APPROVED)
    return activity, member, contracts, payslip


def test_a_correction_reverses_the_payslip_and_pays_its_contracts_again(paid):
    activity, member, contracts, payslip = paid
    officer = staff_user("payroll_officer", entities=[activity.entity])
    later = payslip.pay_date + dt.timedelta(days=10)
    with scope(entity=activity.entity_id):
        assert {c.status for c in EmploymentContract.objects.filter(member=member)} == {"paid"}
        with pytest.raises(ValidationFailed) as refused:
            payslip_correction_start(payslip=payslip, pay_date=later, reason=" ", actor=officer)
        assert refused.value.field == "reason"
        assert Payslip.objects.filter(member=member).count() == 1  # nothing stored
        replacement = payslip_correction_start(
            payslip=payslip, pay_date=later, reason="Wrong IBAN on the first", actor=officer
        )
        reversal = Payslip.objects.get(corrects=payslip)
        assert reversal.status == Payslip.Status.APPROVED and reversal.number == payslip.number + 1
        assert reversal.net_pay == -payslip.net_pay
        assert replacement.status == Payslip.Status.DRAFT and replacement.pay_date == later
        assert sorted(replacement.paid_contracts.values_list("contract_id", flat=True)) == sorted(
            c.pk for c in contracts
        )
        assert replacement.net_pay == payslip.net_pay  # same contracts, same rules
        entry = AuditLogEntry.objects.get(action="payroll.payslip.correction_started")
        assert entry.actor == officer and entry.data["reason"] == "Wrong IBAN on the first"
        assert entry.data["reversal"] == reversal.reference
        payslip_services.payslip_approve(payslip=replacement, actor=officer, now=timezone.now())
        # one payment in force per contract: paid, reversed, paid again
        for contract in contracts:
            rows = PayslipContract.objects.filter(contract=contract)
            assert rows.count() == 3
            in_force = rows.filter(reverses__isnull=True, reversed_by__isnull=True)
            assert list(in_force.values_list("payslip", flat=True)) == [replacement.pk]
        # the Activity was charged once, when the first payslip was posted
        assert LedgerEntry.objects.filter(activity=activity, kind="salary_cost").count() == 2
        # the replacement can be corrected in its turn
        second = payslip_correction_start(
            payslip=Payslip.objects.get(pk=replacement.pk),
            pay_date=later + dt.timedelta(days=5),
            reason="Hours corrected",
            actor=officer,
        )
        assert second.paid_contracts.filter(replaces__isnull=False).count() == 2


def test_the_database_refuses_a_second_payment_in_force(paid):
    activity, member, contracts, payslip = paid
    first_row = PayslipContract.objects.get(payslip=payslip, contract=contracts[0])

    def other_payslip(day: int) -> Payslip:
        return Payslip.objects.create(
            entity=activity.entity, member=member, pay_date=payslip.pay_date + dt.timedelta(day),
            period_start=payslip.period_start, period_end=payslip.period_end, category="employee",
            gross=1, employee_deductions=0, net_taxable=1, net_social=1, net_pay=1,
            employer_contributions=0, employer_cost=1,
        )  # fmt: skip

    def refused(**row) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            PayslipContract.objects.create(gross=1, hours=1, **row)

    draft = other_payslip(20)
    # paid a second time, without a reversal
    refused(payslip=draft, contract=contracts[0])
    # "paying again" after a payment that is not a reversal
    refused(payslip=draft, contract=contracts[0], replaces=first_row)
    # a reversal of a payment of another contract
    refused(payslip=draft, contract=contracts[1], reverses=first_row)
    # reversed once, paid again once: a second new payment after the same reversal is refused
    with scope(entity=activity.entity_id):
        reversal = payslip_services.payslip_correct(
            payslip=payslip, pay_date=draft.pay_date, actor=None
        )
    reversal_row = PayslipContract.objects.get(payslip=reversal, contract=contracts[0])
    refused(payslip=draft, contract=contracts[0], reverses=first_row)  # reversed twice
    PayslipContract.objects.create(
        payslip=draft, contract=contracts[0], gross=1, hours=1, replaces=reversal_row
    )
    refused(payslip=other_payslip(30), contract=contracts[0], replaces=reversal_row)


def test_the_officer_corrects_from_the_staff_page_and_approves_the_new_payslip(client, paid):
    activity, member, _contracts, payslip = paid
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    url = reverse("payroll:staff_payslip", args=[payslip.public_id])
    page = client.get(url).content.decode()
    assert "Correct this payslip" in page
    later = (payslip.pay_date + dt.timedelta(days=7)).isoformat()
    correct = reverse("payroll:staff_payslip_correct", args=[payslip.public_id])
    refused = client.post(correct, {"reason": "", "pay_date": later})
    assert refused.status_code == 200 and refused.context["correct_form"].errors["reason"]
    refused = client.post(correct, {"reason": "Tax profile", "pay_date": "2001-01-01"})
    assert refused.context["correct_form"].errors["pay_date"]
    with scope(entity=activity.entity_id):
        assert not Payslip.objects.filter(corrects=payslip).exists()
    done = client.post(correct, {"reason": "Tax profile", "pay_date": later})
    with scope(entity=activity.entity_id):
        replacement = Payslip.objects.get(member=member, status=Payslip.Status.DRAFT)
        reversal = Payslip.objects.get(corrects=payslip)
    assert done.url == reverse("payroll:staff_payslip", args=[replacement.public_id])
    page = client.get(done.url).content.decode()
    assert payslip.reference in page and "Approve the corrected payslip" in page
    original = client.get(url).content.decode()
    assert reversal.reference in original and "Correct this payslip" not in original
    approve = reverse("payroll:staff_payslip_approve", args=[replacement.public_id])
    assert client.post(approve).status_code == 302
    with scope(entity=activity.entity_id):
        replacement.refresh_from_db()
        assert replacement.status == Payslip.Status.APPROVED and replacement.number
    # a run's draft is approved with its run, not here; another entity and another role: 404
    first = reverse("payroll:staff_payslip_approve", args=[payslip.public_id])
    assert client.post(first).status_code == 404
    client.force_login(staff_user("customer_service", entities=[activity.entity]))
    assert client.post(correct, {"reason": "x", "pay_date": later}).status_code == 404
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    assert client.post(correct, {"reason": "x", "pay_date": later}).status_code == 404
