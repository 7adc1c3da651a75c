"""Browser journey (Playwright + Debian chromium): a member adds a client and an invoice, the
adviser approves it, the client opens the payment link, downloads the PDF and sees the QR code,
staff import a camt.053 statement, the invoice shows paid and the Activity budget grows; an
overdue invoice of another client gets its first reminder exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.utils import timezone

from activities.selectors import activity_budget
from invoicing import services
from invoicing.models import Invoice, Reminder
from tests.factories import TEST_PASSWORD
from tests.invoicing.conftest import LINES
from tests.invoicing.test_bank_and_reminders import camt

pytestmark = [
    pytest.mark.entity_scope("be_entity"),
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-GB",
        "accept_downloads": True,
    }


def staff_cookie(user, live_server) -> dict:
    """Staff log in with a second factor; the journey starts from an open staff session."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"name": "sessionid", "value": session.session_key, "url": live_server.url}


def test_invoice_journey(
    live_server,
    browser,
    member,
    activity,
    be_entity,
    adviser,
    accountant,
    consumer,
    monkeypatch,
    settings,
    tmp_path,
):
    from invoicing import tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INVOICING_PEPPOL_OUTBOX = str(tmp_path / "outbox")
    # No worker in this test: tasks enqueued after commit run in the web thread.
    monkeypatch.setattr(tasks.SmartcoopTask, "enqueue", lambda self, *a, **kw: self(*a, **kw))
    be_entity.invoice_approval_required = True
    be_entity.save()

    # The member logs in, adds a client and writes an invoice.
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", member.user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/invoicing/clients/new/")
    assert page.is_visible("select[name=kind]"), (page.url, page.content()[:3000])
    page.select_option("select[name=kind]", "company")
    page.fill("input[name=name]", "Theater Antwerpen nv")
    page.fill("input[name=vat_number]", "BE0403170701")
    page.fill("input[name=street]", "Kunstlaan 1")
    page.fill("input[name=postcode]", "2000")
    page.fill("input[name=city]", "Antwerpen")
    page.fill("input[name=email]", "ap@theater.example")
    page.click("text=Save the client")
    page.wait_for_url("**/invoicing/new/?*")
    # The client just added is already chosen.
    chosen = page.eval_on_selector("select[name=client]", "s => s.options[s.selectedIndex].text")
    assert chosen == "Theater Antwerpen nv"
    page.fill("input[name=lines-0-description]", "Sound engineering, concert")
    page.fill("input[name=lines-0-quantity]", "8")
    page.fill("input[name=lines-0-unit_price]", "65")
    page.click("#add-line")
    page.fill("input[name=lines-1-description]", "Light design")
    page.fill("input[name=lines-1-quantity]", "1")
    page.fill("input[name=lines-1-unit_price]", "480")
    page.select_option("select[name=lines-1-vat_rate_code]", "reduced")
    page.click("text=Save the draft")
    page.wait_for_selector("text=VAT treatment")
    assert "€1,138.00" in page.content()  # 520 x 1.21 + 480 x 1.06
    page.click("text=Send for approval")  # the draft's page asks first, on a page of its own
    page.wait_for_selector("text=Send this invoice for approval?")
    assert Invoice.objects.exclude(client=consumer).get().status == "draft"
    page.click("main form button[type=submit]:has-text('Send for approval')")
    page.wait_for_selector("text=Sent to your adviser for approval.")
    invoice = Invoice.objects.exclude(client=consumer).get()

    # The adviser approves it.
    staff = browser.new_context()
    staff.add_cookies([staff_cookie(adviser, live_server)])
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/invoicing/staff/")
    desk.click("text=Review")
    desk.click("text=Approve and issue")
    desk.wait_for_selector("text=issued.")
    invoice.refresh_from_db()
    assert invoice.is_issued and invoice.pdf and invoice.ubl
    (sent,) = [m for m in mail.outbox if m.to == ["ap@theater.example"]]
    link = next(word for word in sent.body.split() if "/invoicing/pay/" in word)
    link = live_server.url + link[link.index("/invoicing/pay/") :]

    # The client opens the payment link, sees the QR code and downloads the PDF.
    client_page = browser.new_context(accept_downloads=True).new_page()
    client_page.goto(link)
    assert client_page.is_visible("img[alt='QR code for your banking app']")
    assert invoice.structured_communication_display in client_page.content()
    with client_page.expect_download() as download:
        client_page.click("text=Download the PDF")
    assert download.value.suggested_filename == f"{invoice.reference}.pdf"

    # Staff import a camt.053 statement: the invoice is paid, the Activity budget grows.
    before = activity_budget(activity=activity).balance
    statement = tmp_path / "statement.xml"
    statement.write_bytes(
        camt([("BANK-1", str(invoice.total_incl_vat), "CRDT", invoice.structured_communication)])
    )
    staff.clear_cookies()
    staff.add_cookies([staff_cookie(accountant, live_server)])
    bank = staff.new_page()
    bank.goto(f"{live_server.url}/invoicing/staff/bank/")
    bank.set_input_files("input[name=file]", str(statement))
    bank.get_by_role("button", name="Import").click()
    bank.wait_for_selector("text=1 matched")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    gained = activity_budget(activity=activity).balance - before
    assert gained == Decimal("1000.00") - Decimal("65.00")  # excl. VAT minus the 6.5 % fee
    client_page.reload()
    assert "Paid — thank you" in client_page.content()

    # An overdue invoice of another client gets its first reminder exactly once.
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=consumer, lines=LINES, payment_days=14
    )
    be_entity.invoice_approval_required = False
    be_entity.save()
    today = timezone.localdate()
    overdue = services.invoice_issue(
        invoice=draft, issued_by=member.user, on=max(today - timedelta(days=25), invoice.issue_date)
    )
    run_on = overdue.due_date + timedelta(days=8)
    services.reminders_run(on=run_on)
    services.reminders_run(on=run_on)
    assert Reminder.objects.filter(invoice=overdue).count() == 1
    # The consumer reads Dutch: find the reminder by its letter, not by its subject.
    letters = [m for m in mail.outbox if any("-reminder-" in a[0] for a in m.attachments)]
    assert len(letters) == 1 and letters[0].to == [consumer.email]
