"""Browser journey of a pay run, on a real Celery worker: the payroll officer opens the month's
run, sees that a worker has no IBAN, enters it from the anomaly's link, computes the worker
again and approves; the workers render the PDFs, build the SEPA file and post the ledger. The
worker then logs in, in French, sees the payslip and its net in their account and downloads
the PDF, which prints that net."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from activities.models import ActivityMembership
from payroll.documents.render import money as pdf_money
from payroll.models import PayRun, Payslip, PayslipDocument
from payroll.runs import services
from smartcoop.core.templatetags.smartcoop import money
from tests.activities.factories import make_member
from tests.activities.test_e2e_journey import login
from tests.factories import UserFactory, staff_user
from tests.payroll.runs_setup import due_contract, funded_activity, worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail("timed out")


def test_the_officer_fixes_an_iban_approves_and_the_worker_downloads_the_payslip_in_french(
    celery_worker, live_server, page: Page, tmp_path
):
    base = live_server.url
    shots = Path(os.environ.get("JOURNEY_SHOTS", tmp_path))
    with scopes_disabled():
        activity = funded_activity()
        entity = activity.entity
        officer = staff_user("payroll_officer", entities=[entity])
        colleague = worker(activity)
        user = UserFactory(first_name="Élise", last_name="Dufour", preferred_language="fr")
        elise = make_member(user=user, iban="", national_number="85070812345", language="fr")
        ActivityMembership.objects.create(activity=activity, member=elise, can_request_salary=True)
        contracts = [
            due_contract(activity, colleague, day=2, gross="600.00"),
            due_contract(activity, elise, day=3, gross="1250.00"),
        ]
        pay_date = max(c.wage_due_on for c in contracts)
    with scope(entity=entity.pk):
        run = services.payrun_create(entity=entity, pay_date=pay_date)  # what beat does

    # The payroll officer opens the month's run from the list; the page follows the workers.
    login(page, base, officer.email, staff=True)
    page.goto(f"{base}/payroll/staff/runs/")
    page.locator(f"a[href='/payroll/staff/runs/{run.public_id}/']").click()
    expect(page.get_by_role("heading", name="Pay run of")).to_be_visible()
    expect(page.get_by_test_id("run-state")).to_have_text("To review", timeout=60_000)
    row = page.locator(f"#worker-{elise.public_id}")
    expect(row).to_contain_text("No IBAN: the net cannot be paid.")
    expect(page.get_by_role("button", name="Approve the run")).to_be_visible()

    # The anomaly's link leads to the worker's bank account; a wrong IBAN is refused at the field.
    row.get_by_role("link", name="Enter the IBAN").click()
    expect(page.get_by_role("heading", name="Bank account of Élise Dufour")).to_be_visible()
    page.get_by_label("IBAN").fill("BE68 5390 0754 7035")
    page.get_by_role("button", name="Save the IBAN").click()
    expect(page.locator(".field.has-error")).to_be_visible()
    page.get_by_label("IBAN").fill("BE68 5390 0754 7034")
    page.get_by_role("button", name="Save the IBAN").click()
    expect(page.get_by_text("IBAN of Élise Dufour saved.")).to_be_visible()

    # Computed again, the worker has only the warning of the default tax profile left.
    row = page.locator(f"#worker-{elise.public_id}")
    row.get_by_role("button", name="Compute again").click()
    expect(page.get_by_text("Élise Dufour computed again.")).to_be_visible()
    row = page.locator(f"#worker-{elise.public_id}")
    expect(row).not_to_contain_text("No IBAN")
    expect(row.locator(".badge-bad")).to_have_count(0)
    page.screenshot(path=shots / "run.png", full_page=True)

    page.get_by_role("button", name="Approve the run").click()
    expect(page.get_by_text("Run approved")).to_be_visible()
    # the page follows the render, payment-file and ledger steps, then reloads itself
    expect(page.get_by_test_id("run-state")).to_have_text("Posted to the ledger", timeout=60_000)
    expect(page.get_by_role("link", name="Download the SEPA file")).to_be_visible()
    page.screenshot(path=shots / "run-posted.png", full_page=True)

    with scopes_disabled():
        run.refresh_from_db()
        assert run.state == PayRun.State.POSTED
        payslip = Payslip.objects.get(member=elise, status=Payslip.Status.APPROVED)
        assert run.sepa_xml.count("<CdtTrfTxInf>") == 2  # both workers are paid
        wait_for(lambda: PayslipDocument.objects.filter(payslip=payslip).exists())
    # the run page links each payslip to its staff page
    page.reload()
    page.get_by_role("link", name=payslip.reference).click()
    expect(page.get_by_role("heading", name=f"Payslip {payslip.reference}")).to_be_visible()

    # A correction from that page: without a reason it is refused at the field; with one, the
    # payslip is reversed and its contracts computed again, approved on the new payslip's page.
    page.get_by_text("Correct this payslip").click()
    later = pay_date + dt.timedelta(days=10)
    page.get_by_label("Pay date of the correction").fill(later.isoformat())
    page.get_by_role("button", name="Reverse and compute again").click()
    expect(page.locator("#correct .field.has-error")).to_contain_text("required")
    page.get_by_label("Reason for the correction").fill("Hours to be checked with the worker")
    page.get_by_role("button", name="Reverse and compute again").click()
    expect(page.get_by_text(f"{payslip.reference} is reversed.")).to_be_visible()
    expect(page.get_by_test_id("net-difference")).to_have_text(money(Decimal("0")))
    page.screenshot(path=shots / "corrected-draft.png", full_page=True)
    page.get_by_role("button", name="Approve the corrected payslip").click()
    expect(page.get_by_test_id("payslip-status")).to_have_text("Approved")
    # the same data, the same net: approval settles a difference of nothing
    expect(page.get_by_test_id("settlement")).to_have_text("No difference to pay or recover.")
    page.screenshot(path=shots / "corrected-approved.png", full_page=True)
    with scopes_disabled():
        reversal = Payslip.objects.get(corrects=payslip)
        assert reversal.status == Payslip.Status.APPROVED
    page.get_by_role("link", name=payslip.reference).click()
    expect(page.locator("#correction")).to_contain_text(
        f"Corrected, reversed by {reversal.reference}"
    )
    page.screenshot(path=shots / "corrected-original.png", full_page=True)

    # Élise logs in, in French, and finds the payslip and its net in her account.
    own = page.context.browser.new_context(locale="fr-BE", viewport={"width": 1280, "height": 900})
    mine = own.new_page()
    login(mine, base, elise.user.email)
    mine.goto(f"{base}/payroll/")
    expect(mine.get_by_role("heading", name="Fiches de paie", exact=True)).to_be_visible()
    with translation.override("fr"):
        net_on_page = money(payslip.net_pay)
    line = mine.locator("tr", has=mine.get_by_role("cell", name=payslip.reference, exact=True))
    # the correction's two payslips are listed too: the reversal names the one it reverses
    expect(mine.get_by_text(f"(annule {payslip.reference})")).to_be_visible()
    expect(line).to_contain_text(net_on_page)
    mine.screenshot(path=shots / "member-payslips.png", full_page=True)
    with mine.expect_download() as download_info:
        line.get_by_role("link", name="Télécharger").click()
    download = download_info.value
    assert download.suggested_filename == f"{payslip.reference}.pdf"
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Bulletin de paie" in text or "BULLETIN DE PAIE" in text.upper()
    assert pdf_money(payslip.net_pay, "fr").replace("\u202f", "") in text.replace("\u202f", "")
    own.close()
