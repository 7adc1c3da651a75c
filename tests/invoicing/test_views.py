"""Every page, download and API endpoint: the owner gets it, another member, another office,
another entity get 404; anonymous visitors get 404 on any URL naming an object, are sent to log
in on list pages, and are refused by the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from invoicing import selectors, services
from invoicing.models import ClientMessage, Invoice
from invoicing.tasks import invoice_render_documents
from smartcoop.core.roles import Role
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user
from tests.invoicing.conftest import LINES, make_activity, make_member

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rendered(issued):
    invoice_render_documents(issued.pk, entity_id=issued.entity_id)
    issued.refresh_from_db()
    return issued


MEMBER_PAGES = [
    "invoicing:member_invoice",
    "invoicing:member_invoice_pdf",
    "invoicing:member_invoice_ubl",
]


def test_member_pages_render(
    client, member, rendered, activity, be_client, django_assert_max_num_queries
):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=be_client, lines=LINES
    )
    client.force_login(member.user)
    for name in [
        "invoicing:member_index",
        "invoicing:member_clients",
        "invoicing:member_client_new",
        "invoicing:member_invoice_new",
    ]:
        assert client.get(reverse(name)).status_code == 200, name
    with django_assert_max_num_queries(12):
        response = client.get(reverse("invoicing:member_index"))
    assert rendered.reference in response.content.decode()
    for name in MEMBER_PAGES:
        assert client.get(reverse(name, args=[rendered.public_id])).status_code == 200, name
    assert (
        client.get(reverse("invoicing:member_invoice_edit", args=[draft.public_id])).status_code
        == 200
    )


def test_other_member_gets_404_everywhere(client, rendered, be_entity):
    stranger = make_member()
    make_activity(entity=be_entity, member=stranger, name="Other")
    client.force_login(stranger.user)
    for name in [*MEMBER_PAGES, "invoicing:member_invoice_edit"]:
        assert client.get(reverse(name, args=[rendered.public_id])).status_code == 404, name
    assert (
        client.post(
            reverse("invoicing:member_invoice_submit", args=[rendered.public_id])
        ).status_code
        == 404
    )
    listing = client.get(reverse("invoicing:member_index")).content.decode()
    assert rendered.reference not in listing
    assert (
        "Theater Antwerpen" not in client.get(reverse("invoicing:member_clients")).content.decode()
    )
    api = client.get(reverse("api_invoicing_invoice", args=[rendered.public_id]))
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get(reverse("api_invoicing_invoices")).json()["count"] == 0


# Every invoicing URL that names an object: (url name, which object's public id).
OBJECT_URLS = [
    ("invoicing:member_invoice", "invoice"),
    ("invoicing:member_invoice", "credit_note"),
    ("invoicing:member_invoice_edit", "draft"),
    ("invoicing:member_invoice_submit", "draft"),
    ("invoicing:member_invoice_pdf", "invoice"),
    ("invoicing:member_invoice_pdf", "credit_note"),
    ("invoicing:member_invoice_ubl", "invoice"),
    ("invoicing:member_quote", "quote"),
    ("invoicing:staff_invoice", "invoice"),
    ("invoicing:staff_invoice", "credit_note"),
    ("invoicing:staff_invoice_approve", "draft"),
    ("invoicing:staff_invoice_vat", "invoice"),
    ("invoicing:staff_invoice_collection", "invoice"),
    ("invoicing:staff_invoice_pdf", "invoice"),
    ("invoicing:staff_client_statement", "client"),
    ("invoicing:staff_bank_match", "bank_line"),
]


@pytest.fixture
def objects(rendered, member, activity, be_client, customer_service):
    from invoicing.models import BankStatement, BankTransaction

    note = services.credit_note_create(invoice=rendered, actor=customer_service, reason="Hours")
    note = services.invoice_issue(invoice=note, issued_by=customer_service, on=date(2026, 3, 3))
    invoice_render_documents(note.pk, entity_id=note.entity_id)
    statement = BankStatement.objects.create(
        entity=rendered.entity, format="camt053", statement_id="S", sha256="1" * 64
    )
    return {
        "invoice": rendered,
        "credit_note": note,
        "draft": services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        ),
        "quote": services.quote_create(
            actor=member.user, activity=activity, client=be_client, title="Sound", lines=LINES
        ),
        "client": be_client,
        "bank_line": BankTransaction.objects.create(
            entity=rendered.entity,
            statement=statement,
            bank_reference="B-1",
            booking_date=date(2026, 3, 4),
            amount=Decimal("10.00"),
        ),
    }


@pytest.mark.parametrize(("name", "kind"), OBJECT_URLS)
def test_anonymous_visitors_get_404_on_every_object_url(client, objects, name, kind):
    """No redirect to the login page: a URL naming an invoice, credit note, client, quote or
    download does not even reveal that it exists."""
    url = reverse(name, args=[objects[kind].public_id])
    for response in (client.get(url), client.post(url, {"action": "send"})):
        assert response.status_code == 404, (name, kind)
        assert "Location" not in response


def test_the_owner_still_reaches_the_object_urls(client, objects, member, customer_service):
    client.force_login(member.user)
    for name, kind in OBJECT_URLS:
        if name.startswith("invoicing:member_") and not name.endswith("_submit"):
            url = reverse(name, args=[objects[kind].public_id])
            assert client.get(url).status_code == 200, (name, kind)
    client.force_login(customer_service)
    for name in ("invoicing:staff_invoice", "invoicing:staff_client_statement"):
        kind = "invoice" if name == "invoicing:staff_invoice" else "client"
        assert client.get(reverse(name, args=[objects[kind].public_id])).status_code == 200


def test_anonymous_list_pages_go_to_login_and_the_api_refuses(client, rendered):
    for name in (
        "invoicing:member_index",
        "invoicing:member_clients",
        "invoicing:member_quotes",
        "invoicing:staff_index",
        "invoicing:staff_reminder_policy",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert client.get(reverse("api_invoicing_invoices")).status_code in (401, 403)
    api = client.get(reverse("api_invoicing_invoice", args=[rendered.public_id]))
    assert api.status_code in (401, 403, 404)


def test_staff_of_the_office_and_entity_see_it_others_get_404(
    client, rendered, adviser, customer_service, be_entity
):
    staff_pages = ["invoicing:staff_invoice", "invoicing:staff_invoice_pdf"]
    for user in (adviser, customer_service):
        client.force_login(user)
        assert client.get(reverse("invoicing:staff_index")).status_code == 200
        for name in staff_pages:
            assert client.get(reverse(name, args=[rendered.public_id])).status_code == 200
        assert (
            client.get(reverse("api_invoicing_invoice", args=[rendered.public_id])).status_code
            == 200
        )
    other_office = staff_user(Role.ADVISER, office=OfficeFactory(), entities=[be_entity])
    other_entity = staff_user(Role.CUSTOMER_SERVICE, entities=[LegalEntityFactory()])
    for user in (other_office, other_entity):
        client.force_login(user)
        for name in staff_pages:
            assert client.get(reverse(name, args=[rendered.public_id])).status_code == 404
        assert (
            client.get(reverse("api_invoicing_invoice", args=[rendered.public_id])).status_code
            == 404
        )
        listing = client.get(reverse("invoicing:staff_index")).content.decode()
        assert rendered.reference not in listing
    # A member never reaches staff pages.
    client.force_login(rendered.activity.coordinator.user)
    assert (
        client.get(reverse("invoicing:staff_invoice", args=[rendered.public_id])).status_code == 404
    )
    assert client.get(reverse("invoicing:staff_bank")).status_code == 404


def test_member_creates_client_and_draft_then_issues(client, member, activity, be_entity):
    client.force_login(member.user)
    response = client.post(
        reverse("invoicing:member_client_new"),
        {
            "activity": str(activity.public_id),
            "kind": "company",
            "name": "De Singel",
            "country": "BE",
            "vat_number": "BE0403170701",
            "street": "Desguinlei 25",
            "postcode": "2018",
            "city": "Antwerpen",
            "email": "ap@desingel.example",
            "language": "nl",
        },
    )
    assert response.status_code == 302
    client_row = selectors.client_list(user=member.user).get()
    # The invoice form opens with the new client already chosen.
    form_page = client.get(response["Location"])
    assert form_page.context["form"]["client"].value() == str(client_row.public_id)
    assert f'<option value="{client_row.public_id}" selected>' in form_page.content.decode()
    response = client.post(
        reverse("invoicing:member_invoice_new"),
        {
            "activity": str(activity.public_id),
            "client": str(client_row.public_id),
            "payment_days": "30",
            "discount_rate": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "100",
            "lines-0-description": "Concert",
            "lines-0-quantity": "1",
            "lines-0-unit": "C62",
            "lines-0-unit_price": "1000",
            "lines-0-vat_rate_code": "reduced",
        },
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.total_incl_vat == Decimal("1060.00")
    # Issuing asks first: the draft's page links to a confirmation page that issues nothing.
    submit_url = reverse("invoicing:member_invoice_submit", args=[invoice.public_id])
    detail = client.get(reverse("invoicing:member_invoice", args=[invoice.public_id]))
    assert f'href="{submit_url}"' in detail.content.decode()
    confirm = client.get(submit_url).content.decode()
    assert "Issue this invoice?" in confirm and "can no longer be changed" in confirm
    invoice.refresh_from_db()
    assert not invoice.is_issued
    response = client.post(submit_url)
    invoice.refresh_from_db()
    assert invoice.is_issued


def test_invoice_form_shows_the_rule_broken(client, member, activity, be_client):
    client.force_login(member.user)
    response = client.post(
        reverse("invoicing:member_invoice_new"),
        {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "payment_days": "90",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "100",
            "lines-0-description": "Concert",
            "lines-0-quantity": "1",
            "lines-0-unit": "C62",
            "lines-0-unit_price": "1000",
            "lines-0-vat_rate_code": "standard",
        },
    )
    assert response.status_code == 200
    assert "at most 60 days" in response.content.decode()


def test_api_create_and_issue(client, member, activity, be_client):
    client.force_login(member.user)
    response = client.post(
        reverse("api_invoicing_invoices"),
        {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "lines": [
                {
                    "description": "Workshop",
                    "quantity": "2",
                    "unit": "DAY",
                    "unit_price": "450",
                    "vat_rate_code": "standard",
                }
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    public_id = response.json()["public_id"]
    response = client.post(reverse("api_invoicing_invoice_issue", args=[public_id]))
    assert response.status_code == 200 and response.json()["reference"].startswith("VP")
    bad = client.post(
        reverse("api_invoicing_invoices"),
        {
            "activity": str(activity.public_id),
            "client": str(be_client.public_id),
            "payment_days": 75,
            "lines": [{"description": "x", "quantity": "1", "unit_price": "1"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["extra"]["field"] == "payment_days"


# --- Payment link -------------------------------------------------------------------------


def test_payment_page_shows_what_to_pay(client, rendered):
    token = services.payment_link_token(invoice=rendered)
    response = client.get(reverse("invoicing:pay", args=[token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert rendered.structured_communication_display in page
    assert "BE68 5390 0754 7034" in page and "data:image/svg+xml" in page
    assert client.get(reverse("invoicing:pay_pdf", args=[token])).status_code == 200
    assert client.get(reverse("invoicing:pay_ubl", args=[token])).status_code == 200


def test_tampered_expired_or_revoked_links_answer_404(client, rendered, settings):
    token = services.payment_link_token(invoice=rendered)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, "nonsense", token + "x"):
        response = client.get(reverse("invoicing:pay", args=[bad]))
        assert response.status_code == 404
        assert rendered.reference not in response.content.decode()
    settings.INVOICING_PAYMENT_LINK_MAX_AGE = 60
    with time_machine.travel(timedelta(minutes=5)):
        assert client.get(reverse("invoicing:pay", args=[token])).status_code == 404
    settings.INVOICING_PAYMENT_LINK_MAX_AGE = 3600
    Invoice.objects.filter(pk=rendered.pk).update(link_key="rotated")
    assert client.get(reverse("invoicing:pay", args=[token])).status_code == 404


def test_payment_page_lists_other_open_invoices_of_the_client_only(
    client, rendered, member, activity, be_client, fr_client
):
    other = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        ),
        issued_by=member.user,
        on=date(2026, 3, 3),
    )
    foreign = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=fr_client, lines=LINES
        ),
        issued_by=member.user,
        on=date(2026, 3, 3),
    )
    page = client.get(
        reverse("invoicing:pay", args=[services.payment_link_token(invoice=rendered)])
    ).content.decode()
    assert other.reference in page and foreign.reference not in page


def test_dispute_from_the_payment_page_pauses_reminders(client, rendered):
    token = services.payment_link_token(invoice=rendered)
    response = client.post(
        reverse("invoicing:pay", args=[token]),
        {
            "name": "A. Payable",
            "email": "ap@theater.example",
            "message": "We ordered 6 hours, not 8.",
            "is_dispute": "on",
        },
    )
    assert response.status_code == 302
    rendered.refresh_from_db()
    assert rendered.disputed_at is not None
    assert ClientMessage.objects.get().is_dispute
    assert services.reminders_run(on=date(2026, 6, 1)) == 0


def test_payment_page_is_rate_limited(client, rendered, time_machine):
    # The limit counts per clock minute: stop the clock so a slow machine stays in one minute.
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    token = services.payment_link_token(invoice=rendered)
    url = reverse("invoicing:pay", args=["bad-token"])
    codes = [client.get(url).status_code for _ in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429
    assert client.get(reverse("invoicing:pay", args=[token])).status_code == 429


def test_staff_bank_import_page(client, accountant, rendered):
    from tests.invoicing.test_bank_and_reminders import camt

    client.force_login(accountant)
    content = camt([("W1", "1159.20", "CRDT", rendered.structured_communication)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("invoicing:staff_bank"),
        {"file": SimpleUploadedFile("s.xml", content, content_type="application/xml")},
    )
    assert response.status_code == 302
    rendered.refresh_from_db()
    assert rendered.status == Invoice.Status.PAID
    response = client.post(
        reverse("invoicing:staff_bank"),
        {"file": SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")},
    )
    assert response.status_code == 200 and "nothing was imported" in response.content.decode()


def test_adviser_approves_in_the_backoffice(client, be_entity, draft, member, adviser):
    be_entity.invoice_approval_required = True
    be_entity.save()
    services.invoice_submit(invoice=draft, actor=member.user)
    client.force_login(adviser)
    page = client.get(reverse("invoicing:staff_index")).content.decode()
    assert "Awaiting your approval" in page
    client.post(reverse("invoicing:staff_invoice_approve", args=[draft.public_id]))
    draft.refresh_from_db()
    assert draft.is_issued and draft.approved_by == adviser


def test_collection_export_and_client_statement(
    client, customer_service, member, activity, be_client, be_entity
):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=be_client, lines=LINES, payment_days=10
    )
    overdue = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 1, 5))
    services.invoice_collection_set(
        invoice=overdue, actor=customer_service, collection="handed_over"
    )
    client.force_login(customer_service)
    csv_text = client.get(reverse("invoicing:staff_collection_export")).content.decode()
    assert overdue.reference in csv_text and "1159.20" in csv_text
    response = client.get(reverse("invoicing:staff_client_statement", args=[be_client.public_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    other = staff_user(Role.CUSTOMER_SERVICE, entities=[LegalEntityFactory()])
    client.force_login(other)
    assert (
        client.get(
            reverse("invoicing:staff_client_statement", args=[be_client.public_id])
        ).status_code
        == 404
    )
    assert (
        overdue.reference
        not in client.get(reverse("invoicing:staff_collection_export")).content.decode()
    )


def test_online_payment_provider_behind_a_setting(client, rendered, settings):
    token = services.payment_link_token(invoice=rendered)
    url = reverse("invoicing:pay_online", args=[token])
    assert client.post(url).status_code == 404  # no provider configured
    assert "Pay online" not in client.get(reverse("invoicing:pay", args=[token])).content.decode()
    settings.INVOICING_ONLINE_PAYMENT_PROVIDER = "invoicing.payments.FakeProvider"
    assert "Pay online" in client.get(reverse("invoicing:pay", args=[token])).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and "checkout=fake" in response["Location"]


def test_api_list_query_count_does_not_grow(
    client, member, activity, be_client, django_assert_max_num_queries
):
    for _ in range(5):
        services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        )
    client.force_login(member.user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api_invoicing_invoices"))
    assert response.json()["count"] == 5


def test_bank_lines_and_clients_of_another_entity_answer_404(
    client, accountant, issued, be_entity, member
):
    from invoicing.models import BankStatement, BankTransaction

    other = LegalEntityFactory()
    statement = BankStatement.objects.create(
        entity=other, format="camt053", statement_id="X", sha256="0" * 64
    )
    row = BankTransaction.objects.create(
        entity=other,
        statement=statement,
        bank_reference="OTHER-1",
        booking_date=date(2026, 3, 1),
        amount=Decimal("10.00"),
    )
    client.force_login(accountant)
    response = client.post(
        reverse("invoicing:staff_bank_match", args=[row.public_id]), {"invoice": issued.reference}
    )
    assert response.status_code == 404
    stranger = make_member()
    client.force_login(stranger.user)
    assert client.get(reverse("api_invoicing_clients")).json()["count"] == 0
    assert client.get(reverse("invoicing:member_quotes")).status_code == 200


def test_staff_revoke_payment_links(client, rendered, customer_service):
    token = services.payment_link_token(invoice=rendered)
    assert client.get(reverse("invoicing:pay", args=[token])).status_code == 200
    client.force_login(customer_service)
    client.post(
        reverse("invoicing:staff_invoice_collection", args=[rendered.public_id]),
        {"action": "revoke_link"},
    )
    client.logout()
    assert client.get(reverse("invoicing:pay", args=[token])).status_code == 404
    rendered.refresh_from_db()
    fresh = services.payment_link_token(invoice=rendered)
    assert client.get(reverse("invoicing:pay", args=[fresh])).status_code == 200


def test_bank_lines_to_match_by_hand_get_suggestions(client, accountant, issued, be_entity):
    """A line without structured communication: the open invoice with the same amount, its
    number in the free text and the client's name in the payer's name comes first, one click."""
    from invoicing.models import BankStatement, BankTransaction

    statement = BankStatement.objects.create(
        entity=be_entity, format="camt053", statement_id="SUG", sha256="2" * 64
    )
    row = BankTransaction.objects.create(
        entity=be_entity,
        statement=statement,
        bank_reference="SUG-1",
        booking_date=date(2026, 3, 20),
        amount=issued.amount_due,
        counterparty_name="THEATER ANTWERPEN",
        free_text=f"invoice {issued.reference.lower()} thanks",
    )
    unrelated = BankTransaction.objects.create(
        entity=be_entity,
        statement=statement,
        bank_reference="SUG-2",
        booking_date=date(2026, 3, 20),
        amount=Decimal("3.17"),
        counterparty_name="Someone Else",
    )
    client.force_login(accountant)
    page = client.get(reverse("invoicing:staff_bank"))
    rows = {r.pk: s for r, s in page.context["unmatched"]}
    (suggestion,) = rows[row.pk]
    assert suggestion.invoice == issued and suggestion.reasons == ("amount", "reference", "name")
    assert rows[unrelated.pk] == []
    body = page.content.decode()
    assert f"Match to {issued.reference}" in body and "same amount" in body
    # One click on the suggestion matches the line.
    client.post(
        reverse("invoicing:staff_bank_match", args=[row.public_id]), {"invoice": issued.reference}
    )
    row.refresh_from_db()
    assert row.status == "matched"


@pytest.mark.parametrize(
    ("language", "tab"), [("nl", "Openstaand"), ("fr", "Non soldées"), ("de", "Offen")]
)
def test_the_open_invoices_tab_says_unpaid_not_the_verb(client, member, language, tab):
    """The filter of unpaid invoices read 'Openen' / 'Ouvrir' / 'Öffnen' (to open a file)."""
    client.force_login(member.user)
    client.cookies["smartcoop_language"] = language
    page = client.get(reverse("invoicing:member_index")).content.decode()
    assert f'<a href="?status=open" >{tab}</a>' in page


def _invoice_form(activity, client_row, **extra):
    return {
        "activity": str(activity.public_id),
        "client": str(client_row.public_id),
        "payment_days": "30",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-description": "Décor de scène",
        "lines-0-quantity": "1",
        "lines-0-unit": "C62",
        "lines-0-unit_price": "1000",
        "lines-0-vat_rate_code": "standard",
        **extra,
    }


def test_the_invoice_form_takes_goods_and_a_delivery_address_and_refuses_half_a_one(
    client, member, activity, be_client
):
    client.force_login(member.user)
    url = reverse("invoicing:member_invoice_new")
    page = client.get(url).content.decode()
    assert "What you invoice" in page and "Delivery address: street and number" in page
    response = client.post(
        url,
        _invoice_form(
            activity,
            be_client,
            operation_category="mixed",
            delivery_street="Havenlaan 2",
            delivery_city="Gent",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["delivery_postcode"] == [
        "A delivery address needs a street, a postcode, a city and a country."
    ]
    assert not Invoice.objects.exists()
    response = client.post(
        url,
        _invoice_form(
            activity,
            be_client,
            operation_category="mixed",
            delivery_street="Havenlaan 2",
            delivery_postcode="9000",
            delivery_city="Gent",
            delivery_country="be",
        ),
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.operation_category == "mixed"
    assert (invoice.delivery_street, invoice.delivery_country) == ("Havenlaan 2", "BE")
    # Editing the draft shows what was typed.
    edit = client.get(reverse("invoicing:member_invoice_edit", args=[invoice.public_id]))
    assert edit.context["form"]["delivery_city"].value() == "Gent"
    assert edit.context["form"]["operation_category"].value() == "mixed"


def test_the_api_takes_the_category_and_a_delivery_address(client, member, activity, be_client):
    client.force_login(member.user)
    body = {
        "activity": str(activity.public_id),
        "client": str(be_client.public_id),
        "operation_category": "goods",
        "lines": [{"description": "Décor", "quantity": "1", "unit_price": "800"}],
    }
    bad = client.post(
        reverse("api_invoicing_invoices"),
        {
            **body,
            "delivery_address": {
                "street": "Havenlaan 2",
                "postcode": "9000",
                "city": "Gent",
                "country": "ZZ",
            },
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["extra"]["field"] == "delivery_country"
    assert not Invoice.objects.exists()
    address = {"street": "Havenlaan 2", "postcode": "9000", "city": "Gent", "country": "BE"}
    response = client.post(
        reverse("api_invoicing_invoices"),
        {**body, "delivery_address": address},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["operation_category"] == "goods"
    assert response.json()["delivery_address"] == address
