"""The key-figures page in a browser: a person picks a year, sees the tables and the bar charts,
and downloads the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
from tests.e2e.test_assembly_journey import signed_in
from tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_key_figures_page_renders_its_charts_and_the_csv_downloads(
    live_server, browser: Browser, dataset
):
    accountant = staff_user("accountant", entities=[dataset["smart"], dataset["vp"]])
    page = signed_in(browser, live_server, accountant).new_page()
    page.goto(live_server.url + "/backoffice/key-figures/")
    filters = page.locator("form.kf-filters")
    filters.get_by_label("Year").fill(str(dataset["year"]))
    filters.get_by_label("Entity").select_option(label="SmartCoop")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"Key figures {dataset['year']}")).to_be_visible()
    turnover = page.locator("#kf-turnover_by_entity")
    expect(turnover.get_by_role("row", name="SmartCoop")).to_contain_text("1,300.00")
    charts = page.locator("svg.kf-chart")
    assert charts.count() >= 10
    expect(turnover.locator("svg.kf-chart rect.kf-bar")).to_have_count(1)
    assert float(turnover.locator("rect.kf-bar").get_attribute("width") or 0) > 100
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Turnover by entity,SmartCoop,Turnover excl. VAT,1300.00,800.00" in content
    assert "Verenigde Producties" not in content  # the entity filter travels to the export


@pytest.mark.celery
def test_staff_keep_a_closed_year_and_download_its_pdf_from_a_real_worker(
    celery_worker, live_server, browser: Browser, dataset
):
    """The year before the data set's is closed: the accountant shows it, clicks "Keep these
    figures", and once the worker has kept them the page says when they were computed; then
    "Prepare the PDF" leads to a page that refreshes itself until the PDF is downloadable."""
    accountant = staff_user("accountant", entities=[dataset["smart"], dataset["vp"]])
    closed = dataset["year"] - 1
    page = signed_in(browser, live_server, accountant).new_page()
    page.goto(live_server.url + "/backoffice/key-figures/")
    page.locator("form.kf-filters").get_by_label("Year").fill(str(closed))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text(f"{closed}: computed live for this page.")).to_be_visible()
    page.get_by_role("button", name="Keep these figures").click()
    expect(page.get_by_text(f"The figures of {closed} are being computed")).to_be_visible()
    for _ in range(60):
        page.reload()
        if page.get_by_text(f"{closed}: stored figures, computed on").count():
            break
        page.wait_for_timeout(1000)
    expect(page.get_by_text(f"{closed}: stored figures, computed on")).to_be_visible()
    expect(page.get_by_role("button", name="Compute again and keep")).to_be_visible()

    page.get_by_role("button", name="Prepare the PDF").click()
    expect(page.get_by_role("heading", name=f"Key figures {closed}: PDF")).to_be_visible()
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=90_000)  # the page refreshes every 2 s
    with page.expect_download() as download:
        download_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
