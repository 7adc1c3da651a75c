"""The client's pages (payment link, quote link) and what reaches clients: headers that keep the
token out of other sites' referrers without breaking the forms, the client's language, a 404 page
that says what to do, the quote e-mail in the client's language. The browser journeys that submit
every form are in tests/e2e/test_client_pages.py."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from invoicing import services
from invoicing.models import Invoice, Quote
from invoicing.tasks import invoice_render_documents
from tests.invoicing.conftest import LINES

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dutch_invoice(member, activity, consumer):
    """An issued invoice of a client who reads Dutch (Jan Peeters, Gent)."""
    invoice = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=consumer, lines=LINES
        ),
        issued_by=member.user,
        on=date(2026, 3, 2),
    )
    invoice_render_documents(invoice.pk, entity_id=invoice.entity_id)
    invoice.refresh_from_db()
    return invoice


def pay_url(invoice: Invoice) -> str:
    return reverse("invoicing:pay", args=[services.payment_link_token(invoice=invoice)])


def test_the_payment_page_keeps_its_token_from_other_sites_but_not_from_its_own_forms(
    client, dutch_invoice
):
    response = client.get(pay_url(dutch_invoice))
    page = response.content.decode()
    assert response.status_code == 200
    # `no-referrer` (header or <meta>) makes Chromium send "Origin: null" with the page's forms,
    # which Django's CSRF check refuses with 403.
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-referrer" not in page
    assert response["Cache-Control"] == "private, no-store"
    # Copy buttons: a static script (no inline script for the Content-Security-Policy).
    assert 'data-copy="BE68539007547034"' in page
    assert f'data-copy="{dutch_invoice.structured_communication_display}"' in page
    assert "/static/js/copy.js" in page and "<script>" not in page


def test_client_pages_speak_the_clients_language_until_the_visitor_chooses(
    client, dutch_invoice, settings
):
    url = pay_url(dutch_invoice)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "nl"
    assert "Hoe betalen" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(url)
    assert response["Content-Language"] == "fr"
    assert "Comment payer" in response.content.decode()


def test_a_question_from_the_page_is_thanked_in_the_clients_language(client, dutch_invoice):
    url = pay_url(dutch_invoice)
    response = client.post(
        url,
        {"name": "Jan Peeters", "email": "jan@example.org", "message": "Klopt het uurtarief?"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url
    assert "Dank u. Onze klantendienst zal u antwoorden." in response.content.decode()


def test_a_revoked_or_expired_link_names_whom_to_ask_in_the_clients_language(
    client, dutch_invoice, be_entity, settings
):
    url = pay_url(dutch_invoice)
    services.payment_link_revoke(invoice=dutch_invoice, actor=None)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Language"] == "nl"
    assert "Deze link werkt niet meer" in page
    assert f"Vraag {be_entity.name} om een nieuwe link" in page and be_entity.email in page
    assert dutch_invoice.reference not in page and "BE68" not in page

    fresh = pay_url(Invoice.objects.get(pk=dutch_invoice.pk))
    settings.INVOICING_PAYMENT_LINK_MAX_AGE = 60
    with time_machine.travel(timedelta(minutes=5)):
        response = client.get(fresh)
    assert response.status_code == 404 and "Deze link werkt niet meer" in response.content.decode()


def test_a_mistyped_link_answers_in_the_browsers_language(client, dutch_invoice, be_entity):
    token = services.payment_link_token(invoice=dutch_invoice)
    for url in (
        reverse("invoicing:pay", args=[token[:-4]]),
        reverse("invoicing:pay_pdf", args=["nonsense"]),
        reverse("invoicing:quote_public", args=[token]),  # an invoice token is no quote token
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")
        page = response.content.decode()
        assert response.status_code == 404, url
        assert "Ce lien n\u2019ouvre rien" in page
        assert be_entity.name not in page


def test_the_quote_email_is_written_in_the_clients_language(
    client, member, activity, consumer, be_entity, django_capture_on_commit_callbacks
):
    quote = services.quote_create(
        actor=member.user, activity=activity, client=consumer, title="Geluid festival", lines=LINES
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.quote_send(quote=quote, actor=member.user)
    (sent,) = mail.outbox
    assert sent.to == [consumer.email]
    assert sent.subject == f"Offerte van {be_entity.name}: Geluid festival"
    assert sent.body.startswith("Beste Jan Peeters,")
    assert f"{be_entity.name} stuurt u een offerte: Geluid festival." in sent.body
    assert "Totaal €\xa01.159,20 incl. btw, geldig tot" in sent.body
    link = next(word for word in sent.body.split() if "/invoicing/quote/" in word)
    assert services.quote_link_resolve(token=link.rstrip("/").rsplit("/", 1)[-1]) == quote
    assert "Met vriendelijke groeten" in sent.body


def test_a_refused_quote_link_and_a_draft_quote_link_show_no_quote(
    client, member, activity, consumer
):
    quote = services.quote_create(
        actor=member.user, activity=activity, client=consumer, title="Licht", lines=LINES
    )
    token = services.quote_link_token(quote=quote)
    url = reverse("invoicing:quote_public", args=[token])
    draft = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert draft.status_code == 404 and "This link does not open anything" in (
        draft.content.decode()
    )
    services.quote_send(quote=quote, actor=member.user)
    Quote.objects.filter(pk=quote.pk).update(link_key="rotated")
    revoked = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert revoked.status_code == 404 and "Deze link werkt niet meer" in revoked.content.decode()


def test_a_dispute_reaches_customer_service_in_the_entitys_language_with_a_reply_to(
    client, dutch_invoice, be_entity, tasks_inline, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://coop.example"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            pay_url(dutch_invoice),
            {
                "name": "Jan Peeters",
                "email": "jan@example.org",
                "message": "Ik bestelde 6 uur, niet 8.",
                "is_dispute": "on",
            },
        )
    (sent,) = [m for m in mail.outbox if m.to == [be_entity.email]]
    assert sent.subject == f"Betwisting van {dutch_invoice.reference} door Jan Peeters"
    assert sent.reply_to == ["jan@example.org"]
    assert "Ik bestelde 6 uur, niet 8." in sent.body
    assert "De herinneringen staan stil" in sent.body
    assert f"https://coop.example/invoicing/staff/{dutch_invoice.public_id}/" in sent.body


def test_the_invoice_and_credit_note_emails_are_in_the_clients_language(
    member, activity, consumer, be_entity, tasks_inline, django_capture_on_commit_callbacks
):
    """The member writes in English; the Dutch client reads subject and body in Dutch."""
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_issue(
            invoice=services.invoice_draft_save(
                actor=member.user, activity=activity, client=consumer, lines=LINES
            ),
            issued_by=member.user,
            on=date(2026, 3, 2),
        )
    with django_capture_on_commit_callbacks(execute=True):
        credit = services.invoice_issue(
            invoice=services.credit_note_create(invoice=invoice, actor=member.user),
            issued_by=member.user,
            on=date(2026, 3, 3),
        )
    sent = {m.subject: m.body for m in mail.outbox if m.to == [consumer.email]}
    assert set(sent) == {
        f"Factuur {invoice.reference} van {be_entity.name}",
        f"Creditnota {credit.reference} van {be_entity.name}",
    }
    for body in sent.values():
        assert body.startswith("Beste Jan Peeters,") and "Met vriendelijke groeten" in body


def test_the_quote_page_adds_up_its_lines_and_says_who_issues_it(
    client, member, activity, consumer, be_entity
):
    """The lines (€1,020.00 excl. VAT) and the total incl. VAT (€1,159.20) were shown without the
    VAT between them; the box said 'Sent' (our status, not the client's); nobody was named."""
    quote = services.quote_create(
        actor=member.user, activity=activity, client=consumer, title="Geluid", lines=LINES
    )
    services.quote_send(quote=quote, actor=member.user)
    url = reverse("invoicing:quote_public", args=[services.quote_link_token(quote=quote)])
    client.cookies["smartcoop_language"] = "en"
    page = client.get(url).content.decode()
    assert 'Total excl. VAT</td><td class="num">€1,020.00' in page
    assert 'VAT</td><td class="num">€139.20' in page
    assert "Awaiting your answer" in page and ">Sent<" not in page
    assert be_entity.enterprise_number in page and f"mailto:{be_entity.email}" in page
    client.post(url, {"decision": "accept", "name": "Jan Peeters"})
    page = client.get(url).content.decode()
    assert "Awaiting your answer" not in page and "Accepted" in page


def _header(page: str) -> str:
    return page.split('<header class="topbar', 1)[1].split("</header>", 1)[0]


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_client_pages_have_the_issuers_header_not_the_members_navigation(
    client, member, activity, consumer, be_entity, dutch_invoice
):
    """A client is not a member: the payment page, the quote page and the dead-link page name
    the issuer (logo and name) and offer the languages, without "Join", "Log in" or a link to
    the cooperative's site."""
    from django.core.files.base import ContentFile

    be_entity.logo.save("logo.png", ContentFile(PNG_1PX))
    quote = services.quote_create(
        actor=member.user, activity=activity, client=consumer, title="Geluid", lines=LINES
    )
    services.quote_send(quote=quote, actor=member.user)
    quote_url = reverse("invoicing:quote_public", args=[services.quote_link_token(quote=quote)])
    client.cookies["smartcoop_language"] = "en"
    for url in (pay_url(dutch_invoice), quote_url):
        page = client.get(url).content.decode()
        header = _header(page)
        assert be_entity.name in header
        assert 'class="client-logo" src="data:image/png;base64,' in header
        assert 'class="lang-form"' in header
        for member_thing in ("Join", "Log in", "How it works", "/accounts/", 'class="brand"'):
            assert member_thing not in page, (url, member_thing)
    Quote.objects.filter(pk=quote.pk).update(link_key="rotated")
    gone = client.get(quote_url)
    assert gone.status_code == 404
    header = _header(gone.content.decode())
    assert be_entity.name in header and "Join" not in gone.content.decode()
