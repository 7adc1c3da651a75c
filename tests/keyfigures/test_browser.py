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
