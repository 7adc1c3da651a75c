"""A correction's net difference moves through the platform: a positive difference is paid by
its own SEPA transfer (end-to-end id = the replacement payslip's number), once, however often
the step runs; a negative one is recorded as owed by the worker; both are shown to the payroll
officer and to the member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from lxml import etree

from payroll.corrections import correction_approve, correction_settle, payslip_correction_start
from payroll.models import CorrectionSettlement, Payslip, TaxProfile
from payroll.runs import services
from smartcoop.core.errors import Conflict
from smartcoop.core.models import AuditLogEntry
from tests.factories import LegalEntityFactory, staff_user
from tests.payroll.runs_setup import due_contract, funded_activity, worker

pytestmark = [pytest.mark.django_db]

XSD = Path(__file__).parent / "schemas" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def _paid(children_before: int):
    """A Belgian employee paid 3,000 by a posted run, with `children_before` dependent children
    on the tax profile used then."""
    activity = funded_activity()
    member = worker(activity)
    contract = due_contract(activity, member, day=2, gross="3000.00")
    pay_date = contract.wage_due_on
    TaxProfile.objects.create(
        member=member, valid_from=pay_date - dt.timedelta(days=60),
        marital_status="single", dependent_children=children_before,
    )  # fmt: skip
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
    return activity, member, payslip


def _correct(activity, member, payslip, *, children_after: int, officer):
    later = payslip.pay_date + dt.timedelta(days=10)
    TaxProfile.objects.create(
        member=member, valid_from=later, marital_status="single",
        dependent_children=children_after,
    )  # fmt: skip
    with scope(entity=activity.entity_id):
        return payslip_correction_start(
            payslip=payslip, pay_date=later, reason="Children declared late", actor=officer
        )


def test_a_positive_difference_is_paid_once_by_its_own_sepa_transfer(client):
    activity, member, payslip = _paid(children_before=0)
    officer = staff_user("payroll_officer", entities=[activity.entity])
    replacement = _correct(activity, member, payslip, children_after=3, officer=officer)
    with scope(entity=activity.entity_id):
        difference = replacement.net_pay - payslip.net_pay
        assert difference > 0  # less withholding with three children
        with pytest.raises(Conflict):  # a draft is not settled
            correction_settle(replacement=replacement, actor=officer)
        # approving from the page settles in the same transaction
    client.force_login(officer)
    approve = reverse("payroll:staff_payslip_approve", args=[replacement.public_id])
    assert client.post(approve).status_code == 302
    with scope(entity=activity.entity_id):
        replacement.refresh_from_db()
        settlement = CorrectionSettlement.objects.get(member=member)
        assert settlement.kind == "pay" and settlement.difference == difference
        # the step again, and approval again: nothing more
        again = correction_settle(replacement=replacement, actor=officer)
        assert again.pk == settlement.pk and again.sepa_xml == settlement.sepa_xml
        with pytest.raises(Conflict):
            correction_approve(replacement=replacement, actor=officer)
        assert CorrectionSettlement.objects.filter(member=member).count() == 1
        assert AuditLogEntry.objects.filter(
            action="payroll.payslip.correction_settled"
        ).count() == 1  # fmt: skip
        # the database refuses a second settlement of the same replacement
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionSettlement.objects.create(
                entity=activity.entity, member=member, replacement=replacement,
                corrected=payslip, kind="owed", difference=Decimal("-1.00"),
            )  # fmt: skip
    document = etree.fromstring(settlement.sepa_xml.encode())
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(document)
    assert document.xpath(".//p:EndToEndId/text()", namespaces=NS) == [replacement.reference]
    assert [Decimal(a) for a in document.xpath(".//p:InstdAmt/text()", namespaces=NS)] == [
        difference
    ]
    assert document.findtext(".//p:ReqdExctnDt/p:Dt", namespaces=NS) == (
        replacement.pay_date.isoformat()
    )
    assert document.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == member.iban
    # the officer sees it and downloads the file
    page = client.get(reverse("payroll:staff_payslip", args=[replacement.public_id]))
    assert "is paid to the worker by its own transfer" in page.content.decode()
    download = client.get(reverse("payroll:staff_correction_sepa", args=[replacement.public_id]))
    assert download.content == settlement.sepa_xml.encode()
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    other = client.get(reverse("payroll:staff_correction_sepa", args=[replacement.public_id]))
    assert other.status_code == 404
    # the member sees the difference paid to them
    client.force_login(member.user)
    page = client.get(reverse("payroll:member_index")).content.decode()
    assert f"{replacement.reference}" in page and "paid to you by transfer" in page


def test_a_negative_difference_is_owed_by_the_worker_and_shown_to_them(client):
    activity, member, payslip = _paid(children_before=3)
    officer = staff_user("payroll_officer", entities=[activity.entity])
    replacement = _correct(activity, member, payslip, children_after=0, officer=officer)
    with scope(entity=activity.entity_id):
        replacement = correction_approve(replacement=replacement, actor=officer)
        settlement = CorrectionSettlement.objects.get(replacement=replacement)
        owed = payslip.net_pay - replacement.net_pay
        assert owed > 0
        assert settlement.kind == "owed" and settlement.owed == owed
        assert settlement.sepa_xml == "" and settlement.message_id == ""
    client.force_login(officer)
    page = client.get(reverse("payroll:staff_payslip", args=[replacement.public_id]))
    assert "The worker owes" in page.content.decode()
    client.force_login(member.user)
    page = client.get(reverse("payroll:member_index")).content.decode()
    assert "You owe" in page and replacement.reference in page


def test_no_iban_refuses_the_approval_and_keeps_nothing():
    activity, member, payslip = _paid(children_before=0)
    officer = staff_user("payroll_officer", entities=[activity.entity])
    replacement = _correct(activity, member, payslip, children_after=3, officer=officer)
    member.iban = ""
    member.save(update_fields=["iban"])
    with scope(entity=activity.entity_id):
        with pytest.raises(Conflict):
            correction_approve(replacement=replacement, actor=officer, now=timezone.now())
        replacement.refresh_from_db()
        assert replacement.status == Payslip.Status.DRAFT and not replacement.number
        assert not CorrectionSettlement.objects.exists()
