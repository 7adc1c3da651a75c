"""The client's pages in Chromium, as a client uses them: the payment link and the quote link open
in the client's language, every form on them is submitted by clicking (the question, the dispute,
the quote's accept and refuse, the language switcher in every language), the copy buttons fill
the clipboard, the QR code on the page reads back as the UTF-8 payload, a phone 390 px wide never
scrolls sideways, and a dead link says whom to ask."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from invoicing import services
from invoicing.models import ClientMessage, Invoice, Quote
from invoicing.tasks import invoice_render_documents
from tests.factories import LegalEntityFactory, OfficeFactory
from tests.invoicing.conftest import LINES, make_activity, make_member, theater_antwerpen
from tests.qr import qr_bytes

# The journeys' own set-up (quotes sent, links revoked) runs in the scope of their entity.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.entity_scope("entity"),
]

PHONE = {"width": 390, "height": 844}
# What each language calls the parts of the pages the journeys look for.
WORDS = {
    "nl": {"how": "Hoe betalen", "answer": "Uw antwoord", "thanks": "Dank u."},
    "fr": {"how": "Comment payer", "answer": "Votre réponse", "thanks": "Merci."},
    "en": {"how": "How to pay", "answer": "Your answer", "thanks": "Thank you."},
    "de": {"how": "So bezahlen Sie", "answer": "Ihre Antwort", "thanks": "Vielen Dank."},
}


@pytest.fixture
def setting_up(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entity(setting_up):
    return LegalEntityFactory(
        name="Productions Associées", email="factures@associees.example", invoice_series_prefix="PA"
    )


@pytest.fixture
def member(entity):
    return make_member(office=OfficeFactory())


@pytest.fixture
def activity(entity, member):
    return make_activity(entity=entity, member=member)


@pytest.fixture
def dutch_client(entity, activity, member):
    return theater_antwerpen(entity=entity, member=member, activity=activity, language="nl")


@pytest.fixture
def invoice(member, activity, dutch_client) -> Invoice:
    issued = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=dutch_client, lines=LINES
        ),
        issued_by=member.user,
        on=date.today(),
    )
    invoice_render_documents(issued.pk, entity_id=issued.entity_id)
    issued.refresh_from_db()
    return issued


def no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the screen: the page's scroll width is the window's width, and no card
    hides part of its table behind a sideways scroll of its own."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[1], (page.url, widths)
    scrolling_cards = page.evaluate(
        "() => [...document.querySelectorAll('.card')]"
        ".filter(card => card.scrollWidth > card.clientWidth)"
        ".map(card => `${card.querySelector('h2')?.textContent}: ${card.scrollWidth}px`)"
    )
    assert not scrolling_cards, (page.url, scrolling_cards)


def switch_language(page: Page, code: str) -> None:
    """Click the language switcher's button, as a person does (a POST with its CSRF token)."""
    with page.expect_response(lambda response: "/i18n/setlang/" in response.url) as answer:
        page.locator("form.lang-form").get_by_role("button", name=code, exact=True).click()
    assert answer.value.status == 302, answer.value.status  # 403 when the origin is refused
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_the_client_pays_asks_and_disputes_from_the_payment_link_in_every_language(
    live_server, browser: Browser, invoice, tmp_path
):
    context = browser.new_context(locale="en-GB", viewport=PHONE, device_scale_factor=2)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    url = live_server.url + reverse(
        "invoicing:pay", args=[services.payment_link_token(invoice=invoice)]
    )
    response = page.goto(url)
    assert response is not None and response.status == 200
    # The browser asks for English; the invoice is the Dutch client's: the page speaks Dutch.
    expect(page.get_by_role("heading", name=WORDS["nl"]["how"])).to_be_visible()
    no_sideways_scroll(page)

    # The QR code on the page reads back, bytes and all, as the payload with its accent.
    picture = tmp_path / "qr.png"
    page.locator("figure.qr img").screenshot(path=str(picture))
    expected = "\n".join(
        [
            "BCD",
            "002",
            "1",
            "SCT",
            "GKCCBEBB",
            "Productions Associées",
            "BE68539007547034",
            f"EUR{invoice.total_incl_vat}",
            "",
            "",
            invoice.structured_communication_display,
        ]
    )
    assert qr_bytes(picture) == expected.encode("utf-8")

    # Copy buttons put the IBAN and the structured communication on the clipboard.
    iban_button = page.get_by_role("button", name="Kopieer het IBAN")
    iban_button.click()
    expect(iban_button).to_have_text("Gekopieerd")
    assert page.evaluate("navigator.clipboard.readText()") == "BE68539007547034"
    page.get_by_role("button", name="Kopieer de betalingsreferentie").click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        invoice.structured_communication_display
    )

    # Every language of the switcher, each on a phone without sideways scrolling.
    for code in ("fr", "en", "de", "nl"):
        switch_language(page, code)
        assert page.url == url
        expect(page.get_by_role("heading", name=WORDS[code]["how"])).to_be_visible()
        no_sideways_scroll(page)

    # A question, then a dispute, typed and sent as a client does.
    page.get_by_label("Uw naam").fill("An Boekhouding")
    page.get_by_label("Uw e-mailadres").fill("ap@theater.example")
    page.get_by_label("Uw bericht").fill("Klopt het aantal uren?")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text(WORDS["nl"]["thanks"])).to_be_visible()
    no_sideways_scroll(page)
    question = ClientMessage.objects.get()
    assert question.message == "Klopt het aantal uren?" and not question.is_dispute

    switch_language(page, "fr")
    page.get_by_label("Votre nom").fill("An Boekhouding")
    page.get_by_label("Votre e-mail").fill("ap@theater.example")
    page.get_by_label("Votre message").fill("Nous avons commandé 6 heures, pas 8.")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text(WORDS["fr"]["thanks"])).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.disputed_at is not None
    assert ClientMessage.objects.filter(is_dispute=True).count() == 1
    context.close()


def test_the_client_accepts_one_quote_and_refuses_another_from_the_emailed_links(
    live_server, browser: Browser, member, activity, dutch_client, settings
):
    settings.SITE_URL = live_server.url
    accepted = services.quote_create(
        actor=member.user, activity=activity, client=dutch_client, title="Geluid", lines=LINES
    )
    refused = services.quote_create(
        actor=member.user, activity=activity, client=dutch_client, title="Licht", lines=LINES
    )
    services.quote_send(quote=accepted, actor=member.user)
    services.quote_send(quote=refused, actor=member.user)
    links = {}
    for sent in mail.outbox:
        assert sent.subject.startswith("Offerte van Productions Associées")
        links[sent.subject.rsplit(": ", 1)[-1]] = next(
            word for word in sent.body.split() if word.startswith(live_server.url)
        )

    context = browser.new_context(locale="fr-BE", viewport=PHONE)
    page = context.new_page()
    page.goto(links["Geluid"])
    expect(page.get_by_role("heading", name=WORDS["nl"]["answer"])).to_be_visible()
    no_sideways_scroll(page)
    for code in ("fr", "de", "en"):
        switch_language(page, code)
        expect(page.get_by_role("heading", name=WORDS[code]["answer"])).to_be_visible()
        no_sideways_scroll(page)
    page.get_by_label("Your name").fill("An Boekhouding")
    page.get_by_role("button", name="Accept the quote").click()
    expect(page.get_by_text("Answered by An Boekhouding.")).to_be_visible()
    no_sideways_scroll(page)
    accepted.refresh_from_db()
    assert accepted.status == Quote.Status.ACCEPTED
    assert accepted.decided_by_name == "An Boekhouding"

    switch_language(page, "nl")
    page.goto(links["Licht"])
    page.get_by_label("Uw naam").fill("An Boekhouding")
    page.get_by_role("button", name="Weigeren").click()
    expect(page.get_by_text("Beantwoord door An Boekhouding.")).to_be_visible()
    refused.refresh_from_db()
    assert refused.status == Quote.Status.REFUSED
    context.close()


def test_a_dead_link_says_whom_to_ask_in_the_clients_language(
    live_server, browser: Browser, invoice, entity
):
    url = live_server.url + reverse(
        "invoicing:pay", args=[services.payment_link_token(invoice=invoice)]
    )
    services.payment_link_revoke(invoice=invoice, actor=None)
    context = browser.new_context(locale="fr-BE", viewport=PHONE)
    page = context.new_page()

    response = page.goto(url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet meer")
    expect(page.get_by_role("link", name=entity.email)).to_be_visible()
    no_sideways_scroll(page)
    switch_language(page, "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne plus")

    # A mistyped link names nobody; it answers in the language chosen (here French).
    response = page.goto(url[:-6] + "/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien n\u2019ouvre rien")
    assert entity.name not in page.content()
    context.close()
