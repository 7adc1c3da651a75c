"""Inputs beyond what the columns hold, or with control characters: refused at the form, the API
and the service with the limit in the message, nothing stored. Sending that fails leaves the
quote as it was; a task failing on a document names it on the health page."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from invoicing import services
from invoicing.models import Client, ClientMessage, Invoice, InvoiceLine, Quote
from invoicing.tasks import invoice_render_documents
from smartcoop.core.errors import ApplicationError, ValidationFailed
from smartcoop.core.models import TaskFailure
from smartcoop.core.roles import Role
from tests.factories import staff_user
from tests.invoicing.conftest import LINES

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def invoice_form(activity, client, **changes) -> dict:
    data = {
        "activity": str(activity.public_id),
        "client": str(client.public_id),
        "payment_days": "30",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-description": "Concert",
        "lines-0-quantity": "1",
        "lines-0-unit": "C62",
        "lines-0-unit_price": "1000",
        "lines-0-vat_rate_code": "standard",
    }
    data.update(changes)
    return data


def api_invoice(activity, client, **changes) -> dict:
    line = {
        "description": "Workshop",
        "quantity": "2",
        "unit": "DAY",
        "unit_price": "450",
        "vat_rate_code": "standard",
    }
    body = {"activity": str(activity.public_id), "client": str(client.public_id), "lines": [line]}
    body.update(changes)
    return body


def test_a_total_beyond_the_columns_is_refused_everywhere(client, member, activity, be_client):
    """Quantity 99 999 999 x unit price 9 999 999 999 is about 10^18: the form, the API and the
    service refuse it with the limit, and no draft is stored."""
    client.force_login(member.user)
    huge = {"lines-0-quantity": "99999999", "lines-0-unit_price": "9999999999"}
    response = client.post(
        reverse("invoicing:member_invoice_new"), invoice_form(activity, be_client, **huge)
    )
    assert response.status_code == 200
    assert "must stay below €1,000,000,000,000.00" in response.text
    line = {"description": "x", "quantity": "99999999", "unit_price": "9999999999"}
    response = client.post(
        reverse("api_invoicing_invoices"),
        api_invoice(activity, be_client, lines=[line]),
        content_type="application/json",
    )
    assert response.status_code == 400
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user,
            activity=activity,
            client=be_client,
            lines=[{"description": "x", "quantity": Decimal(10**9), "unit_price": Decimal(10)}],
        )
    assert "a quantity is below" in error.value.message
    # Just below the limit of one line, twice: the total passes 10^12 and is refused.
    lines = [
        {"description": "x", "quantity": Decimal(99_999), "unit_price": Decimal(9_000_000)}
    ] * 2
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=lines
        )
    assert error.value.field == "lines" and "must stay below" in error.value.message
    assert Invoice.objects.count() == 0 and InvoiceLine.objects.count() == 0


def test_payment_days_beyond_a_year_are_refused_for_consumers_too(
    client, member, activity, consumer
):
    client.force_login(member.user)
    response = client.post(
        reverse("api_invoicing_invoices"),
        api_invoice(activity, consumer, payment_days=40_000),
        content_type="application/json",
    )
    assert response.status_code == 400
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=consumer, lines=LINES, payment_days=40_000
        )
    assert error.value.message == "A payment term is at most 365 days."
    assert Invoice.objects.count() == 0


def test_more_lines_than_allowed_are_refused(client, member, activity, be_client):
    client.force_login(member.user)
    data = invoice_form(activity, be_client, **{"lines-TOTAL_FORMS": "101"})
    for n in range(1, 101):
        data.update(
            {
                f"lines-{n}-description": "x",
                f"lines-{n}-quantity": "1",
                f"lines-{n}-unit": "C62",
                f"lines-{n}-unit_price": "1",
                f"lines-{n}-vat_rate_code": "standard",
            }
        )
    response = client.post(reverse("invoicing:member_invoice_new"), data)
    assert response.status_code == 200 and "100" in response.text
    line = api_invoice(activity, be_client)["lines"][0]
    response = client.post(
        reverse("api_invoicing_invoices"),
        api_invoice(activity, be_client, lines=[line] * 101),
        content_type="application/json",
    )
    assert response.status_code == 400
    with pytest.raises(ValidationFailed) as error:
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES * 51
        )
    assert error.value.message == "A document has at most 100 lines; this one has 102."
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("name", ["Theater\nBcc: x@evil.example", "Thea\x00ter", "Thea\x0bter"])
def test_control_characters_in_a_client_name_are_refused(client, member, activity, name):
    client.force_login(member.user)
    response = client.post(
        reverse("api_invoicing_clients"),
        {
            "activity": str(activity.public_id),
            "kind": "company",
            "name": name,
            "street": "Kade 1",
            "postcode": "2000",
            "city": "Antwerpen",
            "country": "BE",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    # NUL is refused by DRF's own check (at the field), the others by the service (its field).
    assert body["extra"].get("field") == "name" or "name" in body["extra"].get("fields", {})
    assert Client.objects.count() == 0


def test_an_unknown_country_code_is_refused_with_the_rule(member, activity, be_entity):
    with pytest.raises(ValidationFailed) as error:
        services.client_create(
            entity=be_entity,
            actor=member.user,
            activity=activity,
            kind="company",
            name="Nowhere Ltd",
            street="1 Road",
            postcode="1",
            city="X",
            country="ZZ",
        )
    assert error.value.field == "country"
    assert error.value.message == "ZZ is not a country code (ISO 3166-1, two letters such as BE)."


def test_control_characters_in_lines_and_titles_are_refused(client, member, activity, be_client):
    client.force_login(member.user)
    response = client.post(
        reverse("invoicing:member_invoice_new"),
        invoice_form(activity, be_client, **{"lines-0-description": "Concert\x1b[31m"}),
    )
    assert response.status_code == 200 and "U+001B" in response.text
    with pytest.raises(ValidationFailed) as error:
        services.quote_create(
            actor=member.user, activity=activity, client=be_client, title="Gig\r\nX", lines=LINES
        )
    assert error.value.field == "title" and "U+000A, U+000D" in error.value.message
    assert Invoice.objects.count() == 0 and Quote.objects.count() == 0


def test_a_quote_is_marked_sent_only_once_its_e_mail_is_sent(
    member, activity, be_client, monkeypatch
):
    quote = services.quote_create(
        actor=member.user, activity=activity, client=be_client, title="Festival", lines=LINES
    )

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(ApplicationError) as error:
        services.quote_send(quote=quote, actor=member.user)
    assert "could not be sent (ConnectionRefusedError)" in error.value.message
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and quote.sent_at is None
    monkeypatch.undo()
    services.quote_send(quote=quote, actor=member.user)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    assert mail.outbox[-1].subject == "Quote from Verenigde Producties: Festival"


def test_an_old_title_with_a_line_break_is_still_sent_on_one_line(member, activity, be_client):
    quote = services.quote_create(
        actor=member.user, activity=activity, client=be_client, title="Festival", lines=LINES
    )
    Quote.objects.filter(pk=quote.pk).update(title="Festival\nBcc: x@evil.example")
    services.quote_send(quote=quote, actor=member.user)
    assert (
        mail.outbox[-1].subject == "Quote from Verenigde Producties: Festival Bcc: x@evil.example"
    )
    assert mail.outbox[-1].bcc == []


def test_a_document_task_failure_names_the_invoice_on_the_health_page(
    draft, be_client, member, client
):
    """A client row written before the input checks (a vertical tab in its name) cannot be put
    in the UBL: the failure is kept with the invoice named, and the health page shows it."""
    Client.objects.filter(pk=be_client.pk).update(name="Theater\x0bAntwerpen")
    issued = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))
    result = invoice_render_documents.apply(
        args=[issued.pk], kwargs={"entity_id": issued.entity_id}
    )
    assert result.failed()
    failure = TaskFailure.objects.get(task_name="invoicing.render_documents")
    assert f"Invoice {issued.reference} ({issued.public_id})" in failure.error
    issued.refresh_from_db()
    assert not issued.pdf  # nothing half-stored
    client.force_login(staff_user(Role.ADMINISTRATOR))
    page = client.get("/backoffice/health/")
    # 503 while the test has no beat heartbeat; the failure is listed with its invoice either way.
    assert page.status_code in (200, 503) and issued.reference in page.text


@pytest.fixture
def pay_token(issued):
    invoice_render_documents(issued.pk, entity_id=issued.entity_id)
    return services.payment_link_token(invoice=issued)


def test_a_replayed_payment_page_message_is_stored_once(client, issued, pay_token):
    url = reverse("invoicing:pay", args=[pay_token])
    page = client.get(url)
    submission = page.context["form"]["submission"].value()
    assert submission and f'value="{submission}"' in page.text
    data = {
        "name": "A. Client",
        "email": "a@client.example",
        "message": "We dispute line 2.",
        "is_dispute": "on",
        "submission": str(submission),
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the replay: same answer, nothing new
    assert ClientMessage.objects.count() == 1
    data["submission"] = str(client.get(url).context["form"]["submission"].value())
    client.post(url, data)  # a new page, a new message
    assert ClientMessage.objects.count() == 2


def test_a_payment_page_message_with_a_line_break_in_the_name_is_refused(client, issued, pay_token):
    url = reverse("invoicing:pay", args=[pay_token])
    response = client.post(
        url,
        {
            "name": "A. Client\nBcc: x@evil.example",
            "email": "a@client.example",
            "message": "Line one\nline two",
            "is_dispute": "on",
        },
    )
    assert response.status_code == 200 and "fit on one line" in response.text
    assert ClientMessage.objects.count() == 0
    issued.refresh_from_db()
    assert issued.disputed_at is None


def test_the_dispute_notification_of_an_old_row_is_sent_on_one_line(issued, be_entity):
    from invoicing.tasks import client_message_notify

    item = ClientMessage.objects.create(
        entity=be_entity,
        invoice=issued,
        is_dispute=True,
        name="A. Client\nBcc: x@evil.example",
        email="a@client.example",
        message="No.",
    )
    client_message_notify(item.pk, entity_id=item.entity_id)
    subject = mail.outbox[-1].subject  # in the entity's language (nl here)
    assert subject == f"Betwisting van {issued.reference} door A. Client Bcc: x@evil.example"
    assert mail.outbox[-1].bcc == []


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)"])
def test_client_names_that_look_like_formulas_are_neutralised_in_the_csv(
    client, customer_service, member, activity, be_entity, name
):
    payer = services.client_create(
        entity=be_entity,
        actor=member.user,
        activity=activity,
        kind="person",
        name=name,
        street="Kade 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
    )
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=payer, lines=LINES, payment_days=10
    )
    overdue = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 1, 5))
    services.invoice_collection_set(
        invoice=overdue, actor=customer_service, collection="handed_over"
    )
    client.force_login(customer_service)
    rows = client.get(reverse("invoicing:staff_collection_export")).content.decode().splitlines()
    cells = rows[1].split(",")
    assert cells[3] == f"'{name}"
    assert "1159.20" in cells  # amounts stay numbers
