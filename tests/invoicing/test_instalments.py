"""Payment in instalments agreed on the invoice: checked at the field, printed on the PDF, the
UBL and the payment page, started as a payment plan at issue; reminders follow the schedule and
count from the missed instalment when it breaks."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from invoicing import services
from invoicing.documents.schematron import peppol_validator
from invoicing.documents.ubl import build_ubl
from invoicing.models import Invoice, PaymentPlan, Reminder
from smartcoop.core.errors import ValidationFailed
from smartcoop.core.models import AuditLogEntry
from tests.invoicing.conftest import LINES, run_reminders

pytestmark = [pytest.mark.entity_scope("be_entity"), pytest.mark.usefixtures("tasks_inline")]

ISSUE = date(2026, 3, 2)
SCHEDULE = [(date(2026, 3, 15), Decimal("500.00")), (date(2026, 4, 15), Decimal("659.20"))]


def _draft(member, activity, client, instalments=SCHEDULE):
    return services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=LINES, instalments=instalments
    )


@pytest.mark.parametrize(
    ("instalments", "words"),
    [
        ([(date(2026, 3, 15), Decimal("1159.20"))], "at least two"),
        (
            [(date(2026, 3, 15), Decimal("500")), (date(2026, 3, 15), Decimal("659.20"))],
            "its own date",
        ),
        (
            [(date(2026, 3, 15), Decimal("500")), (date(2026, 4, 15), Decimal("600"))],
            "add up to €1,100.00, but the invoice total is €1,159.20",
        ),
        (
            [(date(2026, 3, 15), Decimal("500.005")), (date(2026, 4, 15), Decimal("659.195"))],
            "in cents",
        ),
    ],
)
def test_a_schedule_that_does_not_fit_the_invoice_is_refused_at_the_field(
    member, activity, be_client, instalments, words
):
    with pytest.raises(ValidationFailed) as refused:
        _draft(member, activity, be_client, instalments)
    assert refused.value.field == "instalments"
    assert words in refused.value.message
    assert not Invoice.objects.exists()  # nothing half-saved


def test_issue_prints_the_schedule_and_starts_the_plan(member, activity, be_client):
    invoice = services.invoice_issue(
        invoice=_draft(member, activity, be_client), issued_by=member.user, on=ISSUE
    )
    assert invoice.due_date == date(2026, 4, 15) and invoice.payment_days == 44
    assert [i["amount"] for i in invoice.snapshot["instalments"]] == ["500.00", "659.20"]
    plan = PaymentPlan.objects.get(invoice=invoice, status=PaymentPlan.Status.ACTIVE)
    assert plan.instalments == invoice.snapshot["instalments"]
    assert invoice.collection == Invoice.Collection.PAYMENT_PLAN
    assert AuditLogEntry.objects.filter(action="invoicing.payment_plan.created").count() == 1

    invoice.refresh_from_db()
    text = PdfReader(BytesIO(invoice.pdf.read())).pages[0].extract_text()
    assert "Transfer in 2 instalments" in text
    assert "EUR 500.00 before 15/03/2026" in text and "EUR 659.20 before 15/04/2026" in text
    ubl = build_ubl(invoice.snapshot)
    assert b"Payment in 2 instalments: 2026-03-15 EUR 500.00; 2026-04-15 EUR 659.20" in ubl
    assert peppol_validator().fatal(ubl) == []
    (email,) = [
        m for m in mail.outbox if invoice.reference in m.subject and m.to != [member.user.email]
    ]
    assert "Transfer in 2 instalments" in email.body
    assert "EUR 659.20 before 15/04/2026" in email.body


def test_a_schedule_starting_before_the_invoice_date_or_too_long_is_refused_at_issue(
    member, activity, be_client
):
    early = _draft(member, activity, be_client)
    with pytest.raises(ValidationFailed) as refused:
        services.invoice_issue(invoice=early, issued_by=member.user, on=date(2026, 3, 20))
    assert refused.value.field == "instalments" and "before the invoice date" in (
        refused.value.message
    )
    late = _draft(
        member,
        activity,
        be_client,
        [(date(2026, 3, 15), Decimal("500")), (date(2026, 6, 15), Decimal("659.20"))],
    )
    with pytest.raises(ValidationFailed) as refused:
        services.invoice_issue(invoice=late, issued_by=member.user, on=ISSUE)
    assert refused.value.field == "instalments" and "at most 60 days" in refused.value.message
    assert not Invoice.objects.filter(number__isnull=False).exists()


def test_the_payment_page_asks_for_the_next_instalment(client, member, activity, be_client):
    invoice = services.invoice_issue(
        invoice=_draft(member, activity, be_client), issued_by=member.user, on=ISSUE
    )
    services.payment_record(
        invoice=invoice, amount=Decimal("500.00"), on=date(2026, 3, 14), source="bank", actor=None
    )
    page = client.get(services.payment_link_url(invoice=invoice)).content.decode()
    assert "Payment in instalments" in page
    assert "Next instalment" in page and "€659.20" in page


def test_reminders_wait_for_the_schedule_then_count_from_the_missed_instalment(
    member, activity, be_client
):
    invoice = services.invoice_issue(
        invoice=_draft(member, activity, be_client), issued_by=member.user, on=ISSUE
    )
    assert run_reminders(date(2026, 3, 20)) == 0  # first instalment due 15/03, 7 days of grace
    assert run_reminders(date(2026, 3, 23)) == 1  # grace over: the plan breaks, reminder 1
    invoice.refresh_from_db()
    assert invoice.reminders_from == date(2026, 3, 15) and invoice.collection == ""
    assert PaymentPlan.objects.get(invoice=invoice).status == PaymentPlan.Status.BROKEN
    assert Reminder.objects.get(invoice=invoice).step == 1  # long before 15/04 + 7


def test_the_member_enters_the_schedule_on_the_invoice_form(client, member, activity, be_client):
    client.force_login(member.user)
    data = {
        "activity": str(activity.public_id),
        "client": str(be_client.public_id),
        "instalments": "15/03/2026 500,00\nnext month 659,20",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-description": "Sound engineering",
        "lines-0-quantity": "8",
        "lines-0-unit": "HUR",
        "lines-0-unit_price": "65",
        "lines-0-vat_rate_code": "standard",
    }
    refused = client.post(reverse("invoicing:member_invoice_new"), data)
    assert refused.status_code == 200
    assert "Line 2: write a date and an amount" in refused.content.decode()
    assert "next month 659,20" in refused.content.decode()  # what was typed is kept
    data["instalments"] = "15/03/2026 300\n15/04/2026 329,20"  # 8 x 65 + 21 % = 629.20
    saved = client.post(reverse("invoicing:member_invoice_new"), data)
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    assert Invoice.objects.get().instalments == [
        {"due_date": "2026-03-15", "amount": "300"},
        {"due_date": "2026-04-15", "amount": "329.20"},
    ]
