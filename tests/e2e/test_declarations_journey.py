"""Browser journeys of the periodic declarations, as a payroll officer does them.

France: the officer records the entity's AT/MP rate (a rate of 125 % is refused at the field), the
month's payslip uses it, the officer files the month's DSN from the declarations page, downloads
the file, records the authority's refusal and files the correction.
Belgium: the officer builds the year's 281.10 forms with one click, downloads the file and records
Belcotax-on-web's acknowledgement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Browser, Page, expect

from activities.services import contract_validate
from declarations import services as declarations
from declarations.models import Declaration, FilingJob
from payroll import services as payroll
from payroll.models import WorkAccidentRate
from smartcoop.core.templatetags.smartcoop import percent
from smartcoop.countries.registry import load_pack
from tests.activities.factories import salary_contract
from tests.declarations.helpers import INSS, worker_activity
from tests.declarations.test_dsn import NIR, french_employer
from tests.e2e.conftest import shot
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import LegalEntityFactory, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def last_month_start() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def officer_page(browser: Browser, live_server, entity) -> Page:
    officer = staff_user("payroll_officer", entities=[entity])
    return signed_in(browser, live_server, officer).new_page()


def test_france_the_officer_sets_the_at_mp_rate_files_the_dsn_and_its_correction(
    live_server, browser: Browser, settings
):
    settings.COUNTRY_PACK = load_pack("FR")
    base = live_server.url
    month = last_month_start()
    with scopes_disabled():
        entity = LegalEntityFactory(name="Coopérative des Arts")
        french_employer(entity)
        activity = worker_activity(entity, national_number=NIR)
        activity.coordinator.birth_date = dt.date(1985, 7, 30)
        activity.coordinator.save()
    with scope(entity=entity.pk):  # last month's gig, asked for before it started
        contract = salary_contract(
            activity, start=month + dt.timedelta(days=4), contract_type="cddu", today=month
        )
        contract = contract_validate(contract=contract, actor=None)
    page = officer_page(browser, live_server, entity)

    # The AT/MP rate the CARSAT notified: a mistyped one is refused at the field.
    page.goto(f"{base}/payroll/staff/")
    page.get_by_role("link", name="Work-accident rates").click()
    expect(page.get_by_role("heading", name="Work-accident rates")).to_be_visible()
    expect(page.locator("[data-in-force]")).to_contain_text("national average")
    page.get_by_label("Applies from").fill(month.isoformat())
    rate = page.get_by_label("Rate (%)")
    rate.fill("125")
    page.get_by_label("Notification reference").fill("CARSAT 2026-17")
    page.get_by_role("button", name="Save").click()
    # the browser holds the form back and says why at the field
    assert "100" in rate.evaluate("field => field.validationMessage")
    with scopes_disabled():
        assert not WorkAccidentRate.objects.exists()
    rate.fill("1.25")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The work-accident rate was saved.")).to_be_visible()
    expect(page.locator("[data-in-force]")).to_have_text(percent(Decimal("0.0125")))
    expect(page.get_by_role("cell", name="CARSAT 2026-17")).to_be_visible()
    shot(page, "at-mp-rates")

    # The month's payslip (what the pay run computes) uses it, and its page shows it.
    with scope(entity=entity.pk):
        payslip = payroll.payslip_compute(
            entity=entity,
            member=contract.member,
            pay_date=month + dt.timedelta(days=35),
            contracts=[contract],
            actor=None,
        )
        payslip = payroll.payslip_approve(
            payslip=payslip, actor=None, now=timezone.now(), render_pdf=False
        )
    page.goto(f"{base}/payroll/staff/payslips/{payslip.public_id}/")
    at_mp = page.locator("tr", has_text="Work accidents and occupational diseases")
    # an artist on CDDU pays 70 % of it (the national average would make it 1.456 %)
    expect(at_mp).to_contain_text(percent(Decimal("0.0125") * Decimal("0.70")))
    shot(page, "fr-payslip")

    # The month's DSN, filed from the declarations page; the worker's build is run here.
    page.goto(f"{base}/declarations/staff/")
    page.get_by_label("Month").select_option(month.strftime("%Y-%m"))
    page.get_by_role("button", name="File the month").click()
    expect(page.get_by_test_id("filing-state")).to_have_text("Waiting for a worker")
    with scopes_disabled():
        job = FilingJob.objects.get(entity=entity)
    with scope(entity=entity.pk):  # the task runs in its entity's scope
        declarations.filing_run(job_id=job.pk)  # what the declarations.file_period task does
    expect(page.get_by_test_id("filing-result")).to_contain_text("built and valid")
    shot(page, "dsn-filing")
    page.get_by_role("link", name="Open the declaration").click()
    expect(page.get_by_text("file it on net-entreprises")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the file").click()
    download = download_info.value
    with scopes_disabled():
        filed = Declaration.objects.get(entity=entity, kind="dsn")
    assert download.suggested_filename == f"dsn-{filed.reference}.txt"
    content = download.path().read_bytes().decode("latin-1")
    assert content == filed.payload and f"S21.G00.30.001,'{NIR[:13]}'" in content

    # net-entreprises refuses it: the refusal is recorded, then the correction is filed.
    page.get_by_label("Acknowledgement number or refusal code").fill("CCH-13")
    page.get_by_label("Authority's message").fill("Période hors mois")
    page.get_by_role("button", name="Record a refusal").click()
    expect(page.get_by_text("The refusal is recorded: correct the declaration.")).to_be_visible()
    expect(page.get_by_role("heading", name="The authority's answer")).to_be_visible()
    expect(page.get_by_text("Période hors mois")).to_be_visible()
    shot(page, "dsn-refused")
    page.get_by_role("button", name="Correct").click()
    expect(page.get_by_text("The declaration was built again.")).to_be_visible()
    expect(page.get_by_role("link", name=filed.reference)).to_be_visible()  # "Corrects"
    with scopes_disabled():
        filed.refresh_from_db()
        correction = Declaration.objects.get(corrects=filed)
    assert filed.status == "corrected" and filed.authority_codes == ["CCH-13"]
    assert correction.status == "ready" and correction.payload


def test_belgium_the_officer_builds_the_281_10_downloads_it_and_records_the_acknowledgement(
    live_server, browser: Browser, settings
):
    settings.SMARTCOOP_DECLARATION_CONTACT_PHONE = "025551234"
    base = live_server.url
    year = timezone.localdate().year
    with scopes_disabled():
        entity = LegalEntityFactory(name="Verenigde Producties", email="payroll@example.org")
        activity = worker_activity(entity)
        member = activity.coordinator
        member.street, member.postcode, member.city = "Rue Haute 12", "1000", "Bruxelles"
        member.country = "BE"
        member.save()
    with scope(entity=entity.pk):  # a gig paid this year
        start = dt.date(year, 2, 10)
        contract = salary_contract(activity, start=start, today=start)
        contract = contract_validate(contract=contract, actor=None)
        payslip = payroll.payslip_compute(
            entity=entity,
            member=member,
            pay_date=dt.date(year, 3, 5),
            contracts=[contract],
            actor=None,
        )
        payroll.payslip_approve(payslip=payslip, actor=None, now=timezone.now(), render_pdf=False)
    page = officer_page(browser, live_server, entity)

    page.goto(f"{base}/declarations/staff/")
    shot(page, "be-declarations")
    page.get_by_role("button", name=f"Build the 281.10 of {year}").click()
    expect(page.get_by_text("The 281.10 forms of the year are ready.")).to_be_visible()
    expect(page.get_by_text("file it on Belcotax-on-web")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the file").click()
    with scopes_disabled():
        built = Declaration.objects.get(entity=entity, kind="belcotax_28110")
    xml = download_info.value.path().read_text()
    assert xml == built.payload and f"<f2011_nationaalnr>{INSS}</f2011_nationaalnr>" in xml

    page.get_by_label("Acknowledgement number or refusal code").fill("BOW-2027-0042")
    page.get_by_role("button", name="Record the acknowledgement").click()
    expect(page.get_by_text("The acknowledgement is recorded.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Accepted")
    shot(page, "belcotax-accepted")
    built.refresh_from_db()
    assert built.status == "accepted" and built.authority_reference == "BOW-2027-0042"
