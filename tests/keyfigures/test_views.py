"""The key-figures page, its exports and the PDF on a real worker; who may see what."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from keyfigures.models import KeyFiguresExport
from tests.factories import staff_user


@pytest.fixture(autouse=True)
def _media_in_tmp(request, settings, tmp_path):
    """Documents go to a temporary folder, except where the worker (another process, with the
    test settings' folder) writes them."""
    if "celery_worker" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"


def _accountant(ds):
    return staff_user("accountant", entities=[ds["smart"], ds["vp"]])


def test_accountant_sees_the_tables_charts_and_reconciliation_of_their_entities(client, dataset):
    client.force_login(_accountant(dataset))
    page = client.get(reverse("keyfigures:index"), {"year": dataset["year"]})
    assert page.status_code == 200
    html = page.content.decode()
    figures = page.context["figures"]
    turnover = next(t for t in figures.tables if t.key == "turnover_by_entity")
    assert {r.label for r in turnover.rows} == {"SmartCoop", "Verenigde Producties"}
    assert "Not mine" not in html  # an entity the accountant does not work for
    assert html.count('class="kf-chart"') >= 10
    assert "✓ Work budget of the paid contracts = salary costs in the ledgers" in html
    assert "Gender" in html  # what the data cannot give is said on the page


def test_one_entity_and_filters(client, dataset):
    client.force_login(_accountant(dataset))
    page = client.get(
        reverse("keyfigures:index"),
        {"year": dataset["year"], "entity": str(dataset["vp"].public_id), "sector": "training"},
    )
    work = next(t for t in page.context["figures"].tables if t.key == "work_by_entity")
    assert [(r.label, r.values["work_budget"]) for r in work.rows] == [
        ("Verenigde Producties", Decimal("100.00"))
    ]


def test_a_year_in_the_future_is_a_field_error(client, dataset):
    client.force_login(_accountant(dataset))
    page = client.get(reverse("keyfigures:index"), {"year": 2999})
    assert page.context["figures"] is None
    assert "year" in page.context["form"].errors


def test_adviser_sees_their_office_only_and_members_and_others_nothing(client, dataset):
    adviser = staff_user(
        "adviser", office=dataset["other_office"], entities=[dataset["smart"], dataset["vp"]]
    )
    client.force_login(adviser)
    # The office filter in the URL is ignored: an adviser's figures are their office's.
    page = client.get(
        reverse("keyfigures:index"),
        {"year": dataset["year"], "office": str(dataset["office"].public_id)},
    )
    assert page.status_code == 200
    assert page.context["figures"].scope.office_id == dataset["other_office"].pk
    movements = next(t for t in page.context["figures"].tables if t.key == "members")
    assert movements.rows[0].values["value"] == 1  # cleo only
    assert "office" not in page.context["form"].fields

    client.force_login(staff_user("customer_service", entities=[dataset["smart"]]))
    assert client.get(reverse("keyfigures:index")).status_code == 404
    client.force_login(dataset["ann"].user)
    assert client.get(reverse("keyfigures:index")).status_code == 404
    assert client.get(reverse("keyfigures:export", args=["csv"])).status_code == 404


def test_csv_and_xlsx_exports_hold_the_figures_and_neutralise_formulas(client, dataset):
    dataset["smart"].name = "=HYPERLINK(1)"
    dataset["smart"].save()
    client.force_login(_accountant(dataset))
    params = {"year": dataset["year"]}
    response = client.get(reverse("keyfigures:export", args=["csv"]), params)
    assert response["Content-Disposition"] == 'attachment; filename="key-figures-2026.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [
        "Turnover by entity",
        "'=HYPERLINK(1)",
        "Turnover excl. VAT",
        "1300.00",
        "800.00",
    ] in rows

    from openpyxl import load_workbook

    response = client.get(reverse("keyfigures:export", args=["xlsx"]), params)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Turnover by entity"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["'=HYPERLINK(1)", 1300, 1500, 200, 2, 2, 800, 0.625] in values
    assert client.get(reverse("keyfigures:export", args=["exe"]), params).status_code == 404


def test_member_dashboard_shows_their_own_year(client, dataset, time_machine):
    time_machine.move_to("2026-12-01")
    client.force_login(dataset["ann"].user)
    html = client.get(reverse("core:member_home")).content.decode()
    assert "My year" in html
    assert "1.300,00" in html or "1,300.00" in html


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_pdf_is_rendered_by_a_real_worker_and_only_its_requester_downloads_it(
    celery_worker, client, dataset
):
    accountant = _accountant(dataset)
    client.force_login(accountant)
    response = client.post(reverse("keyfigures:pdf_request"), {"year": dataset["year"]})
    job = KeyFiguresExport.objects.get(requested_by=accountant)
    assert response.url == reverse("keyfigures:pdf_status", args=[job.public_id])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("done", "failed"):
            break
        time.sleep(0.5)
    assert (job.status, job.progress) == ("done", 100), job.error
    page = client.get(response.url)
    assert b"Download the PDF" in page.content and b'value="100"' in page.content
    download = client.get(reverse("keyfigures:pdf_download", args=[job.public_id]))
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "TURNOVER BY ENTITY" in text and "SmartCoop" in text  # titles are in capitals

    client.force_login(staff_user("accountant", entities=[dataset["smart"]]))
    assert client.get(reverse("keyfigures:pdf_download", args=[job.public_id])).status_code == 404
