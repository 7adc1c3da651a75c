"""Reminder letters: the wording the law of the entity's country asks for, in the client's
language with localised figures, kept as a PDF with its checksum, e-mailed once, or left for staff
to post when the client has no e-mail address."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoicing import services
from invoicing.models import Reminder
from smartcoop.core.models import AuditLogEntry
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, staff_user
from tests.invoicing.conftest import (
    issue_overdue,
    make_activity,
    make_member,
    reminder_emails,
    run_reminders,
)

TODAY = date(2026, 6, 1)


pytestmark = [pytest.mark.entity_scope("be_entity"), pytest.mark.usefixtures("tasks_inline")]


def _overdue(member, activity, client, days_late: int):
    return issue_overdue(member, activity, client, days_late, on=TODAY)


def _letter_text(reminder: Reminder) -> str:
    reminder.refresh_from_db()
    content = reminder.letter.read()
    assert reminder.letter_sha256 == hashlib.sha256(content).hexdigest()
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.entity_scope("fr_entity")
def test_french_consumer_formal_notice_starts_legal_interest_and_claims_no_costs(fr_entity):
    member = make_member()
    activity = make_activity(entity=fr_entity, member=member)
    client = services.client_create(
        entity=fr_entity,
        actor=member.user,
        activity=activity,
        kind="person",
        name="Camille Martin",
        street="3 rue Victor Hugo",
        postcode="69002",
        city="Lyon",
        country="FR",
        email="camille@example.org",
        language="fr",
    )
    invoice = _overdue(member, activity, client, 8)
    assert "1231-6" in invoice.snapshot["mentions"]["late_payment"]

    assert run_reminders(TODAY) == 1  # first reminder at +7
    assert run_reminders(TODAY + timedelta(days=14)) == 1  # second at +21
    assert run_reminders(TODAY + timedelta(days=28)) == 1  # formal notice at +35 (8 + 28 = 36)
    assert run_reminders(TODAY + timedelta(days=28)) == 0
    notice = Reminder.objects.get(invoice=invoice, kind="formal_notice")
    # From the notice, legal interest (H1 2026: 2.62 %) runs; nothing accrued yet, no costs.
    assert (notice.interest_rate, notice.interest, notice.fixed_costs) == (
        Decimal("0.0262"),
        Decimal("0"),
        Decimal("0"),
    )
    text = _letter_text(notice)
    assert "Mise en demeure" in text
    assert "2,62" in text and "1231-6" in text and "L111-8" in text
    assert f"{notice.amount_due:,.2f} €".replace(",", " ").replace(".", ",") in text  # 1 151,50 €
    first = Reminder.objects.get(invoice=invoice, step=1)
    assert "1231-6" not in _letter_text(first)


def test_belgian_consumer_first_reminder_states_the_damages_that_may_follow(
    member, activity, consumer
):
    invoice = _overdue(member, activity, consumer, 8)
    assert run_reminders(TODAY) == 1
    first = Reminder.objects.get(invoice=invoice)
    (email,) = reminder_emails()
    body = email.body.replace("\u00a0", " ")
    # 1,159.20 due → at most 65 + 5 % of 659.20 = 97.96 (Book XIX art. XIX.4), in Dutch.
    assert "€ 97,96" in body and "14" in body
    assert "€ 1.159,20" in body
    text = _letter_text(first)
    assert "97,96" in text and "XIX.2" in text


def test_belgian_b2b_formal_notice_letter_claims_interest_and_indemnity(
    client, member, activity, be_client, be_entity
):
    invoice = _overdue(member, activity, be_client, 36)
    assert (
        run_reminders(TODAY) == 1
    )  # past +35: the formal notice (no earlier level was due before)
    notice = Reminder.objects.get(invoice=invoice)
    assert notice.kind == "formal_notice" and notice.fixed_costs == Decimal("40.00")
    (email,) = reminder_emails()
    assert email.attachments[0][0] == f"{invoice.reference}-reminder-3.pdf"
    assert email.attachments[0][1] == (notice.letter.open("rb").read())
    text = _letter_text(notice)
    assert "Formal notice" in text and "Law of 2 August 2002" in text
    total = notice.amount_due + notice.interest + notice.fixed_costs
    assert f"€{total:,.2f}" in text  # English client: €1,2xx.xx with the claimed total

    url = reverse("invoicing:staff_reminder_letter", args=[invoice.public_id, 3])
    service = staff_user(Role.CUSTOMER_SERVICE, entities=[be_entity])
    client.force_login(service)
    overview = client.get(reverse("invoicing:staff_reminder_policy")).content.decode()
    assert "Reminders sent lately" in overview
    assert invoice.reference in overview and "e-mailed" in overview
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(staff_user(Role.CUSTOMER_SERVICE, entities=[LegalEntityFactory()]))
    assert client.get(url).status_code == 404  # another entity's staff
    client.force_login(member.user)
    assert client.get(url).status_code == 404  # members read their invoice page, not staff files
    client.logout()
    assert client.get(url).status_code == 404  # anonymous


def test_a_client_without_email_gets_a_letter_to_post(client, member, activity, be_entity):
    postal = services.client_create(
        entity=be_entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Papieren Theater bv",
        street="Markt 1",
        postcode="8000",
        city="Brugge",
        country="BE",
        vat_number="BE0403170701",
        language="nl",
    )
    invoice = _overdue(member, activity, postal, 8)
    assert run_reminders(TODAY) == 1
    reminder = Reminder.objects.get(invoice=invoice)
    assert not reminder_emails() and reminder.emailed_at is None
    assert "Betalingsherinnering" in _letter_text(reminder)
    client.force_login(staff_user(Role.CUSTOMER_SERVICE, entities=[be_entity]))
    page = client.get(reverse("invoicing:staff_invoice", args=[invoice.public_id]))
    assert "to send by post" in page.content.decode()
    assert reverse("invoicing:staff_reminder_letter", args=[invoice.public_id, 1]) in (
        page.content.decode()
    )

    # The invoicing desk lists the letters to post until someone marks them posted (audited).
    desk = client.get(reverse("invoicing:staff_index")).content.decode()
    assert "Reminder letters to post" in desk and "Papieren Theater bv" in desk
    posted = reverse("invoicing:staff_reminder_posted", args=[invoice.public_id, 1])
    client.force_login(staff_user(Role.CUSTOMER_SERVICE, entities=[LegalEntityFactory()]))
    assert client.post(posted).status_code == 404  # another entity's staff
    client.force_login(member.user)
    assert client.post(posted).status_code == 404
    client.force_login(staff_user(Role.CUSTOMER_SERVICE, entities=[be_entity]))
    assert client.post(posted).status_code == 302
    reminder.refresh_from_db()
    assert reminder.posted_at is not None
    assert AuditLogEntry.objects.filter(action="invoicing.reminder.posted").count() == 1
    assert (
        "Reminder letters to post"
        not in client.get(reverse("invoicing:staff_index")).content.decode()
    )
