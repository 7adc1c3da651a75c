"""Closed years kept as stored yearly aggregates: exactly the live figures, read by the page with
the time they were computed, computed again on demand by a real worker and nightly."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from keyfigures import report, selectors, stored
from keyfigures.models import YearFigures
from keyfigures.selectors import Scope
from keyfigures.tasks import store_closed_years
from smartcoop.core.models import LegalEntity
from tests.factories import staff_user
from tests.keyfigures.conftest import activity, invoice
from tests.keyfigures.conftest import client as make_client

AFTER_THE_YEAR = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)  # 2026 and 2025 are closed


def _scope(ds, **kw) -> Scope:
    return Scope(year=ds["year"], entity_ids=ds["entities"], **kw)


def _turnover(figures) -> dict:
    table = next(t for t in figures.tables if t.key == "turnover_by_entity")
    return {r.label: r.values["turnover"] for r in table.rows}


def test_a_stored_year_is_exactly_the_live_computation(dataset, time_machine):
    time_machine.move_to(AFTER_THE_YEAR)
    for scope in (
        _scope(dataset),
        _scope(dataset).previous(),
        _scope(dataset, sector="training"),
        _scope(dataset, office_id=dataset["office"].pk),
        Scope(year=dataset["year"], entity_ids=(dataset["vp"].pk,)),
    ):
        stored.store_year(scope)
        kept = stored.figures_for(scope)
        assert kept.pop("computed_at") is not None  # read from the row, not computed again
        assert kept == selectors.year_figures(scope)
    kept = stored.figures_for(_scope(dataset))
    assert str(kept["invoices"]["entity"][0]["turnover"]) == "1300.00"  # the Decimal, exact
    live = report.build(_scope(dataset))
    from_rows = report.build(_scope(dataset), source=stored.figures_for)
    assert from_rows.tables == live.tables and from_rows.checks == live.checks
    assert from_rows.computed_at is not None and live.computed_at is None


def test_the_current_year_is_always_computed_live(dataset, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))
    with pytest.raises(ValueError):
        stored.store_year(_scope(dataset))
    assert stored.figures_for(_scope(dataset))["computed_at"] is None


def test_the_page_reads_the_stored_year_and_says_when_until_it_is_computed_again(
    client, dataset, time_machine
):
    time_machine.move_to(AFTER_THE_YEAR)
    client.force_login(staff_user("accountant", entities=[dataset["smart"], dataset["vp"]]))
    url = reverse("keyfigures:index")
    page = client.get(url, {"year": 2026})
    assert "2026: computed live for this page." in page.content.decode()
    assert _turnover(page.context["figures"])["SmartCoop"] == Decimal("1300.00")

    stored.store_year(_scope(dataset))
    invoice(
        activity(dataset["smart"]), make_client(dataset["smart"]), "50.00", dt.date(2026, 12, 30)
    )
    page = client.get(url, {"year": 2026})
    html = page.content.decode()
    assert "2026: stored figures, computed on" in html and "Compute again and keep" in html
    assert _turnover(page.context["figures"])["SmartCoop"] == Decimal("1300.00")  # as kept

    stored.store_year(_scope(dataset))
    page = client.get(url, {"year": 2026})
    assert _turnover(page.context["figures"])["SmartCoop"] == Decimal("1350.00")


def test_an_adviser_cannot_ask_for_figures_to_be_kept(client, dataset, time_machine):
    time_machine.move_to(AFTER_THE_YEAR)
    adviser = staff_user("adviser", entities=[dataset["smart"]])
    adviser.office = dataset["office"]
    adviser.save()
    client.force_login(adviser)
    response = client.post(reverse("keyfigures:store_request"), {"year": 2026})
    assert response.status_code in (403, 404)
    assert not YearFigures.objects.exists()


def test_the_nightly_task_keeps_the_two_closed_years_for_all_and_each_entity(dataset, time_machine):
    time_machine.move_to(AFTER_THE_YEAR)
    stored.store_year(_scope(dataset, sector="music"))  # asked from the page: kept up to date too
    entities = tuple(LegalEntity.objects.order_by("pk").values_list("pk", flat=True))
    # Both years, for all entities together and each alone, and the sector asked for.
    assert store_closed_years.apply().get() == 2 * (1 + len(entities)) + 1
    assert set(YearFigures.objects.values_list("year", flat=True)) == {2025, 2026}
    for scope in (Scope(year=2026, entity_ids=entities), Scope(year=2025, entity_ids=entities[:1])):
        assert stored.figures_for(scope)["computed_at"] is not None
    assert stored.figures_for(_scope(dataset, sector="music"))["computed_at"] is not None


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_staff_ask_for_a_closed_year_to_be_kept_and_a_real_worker_stores_it(
    celery_worker, client, dataset
):
    """2025 is closed today: the accountant asks from the page, the worker computes and keeps
    it, and the page then reads the kept figures."""
    accountant = staff_user("accountant", entities=[dataset["smart"], dataset["vp"]])
    client.force_login(accountant)
    response = client.post(reverse("keyfigures:store_request"), {"year": 2025})
    assert response.status_code == 302 and "year=2025" in response.url
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not YearFigures.objects.exists():
        time.sleep(0.5)
    row = YearFigures.objects.get()
    assert (row.year, row.scope_key) == (2025, stored.scope_key(_scope(dataset).previous()))
    page = client.get(reverse("keyfigures:index"), {"year": 2025})
    assert page.context["figures"].computed_at == row.computed_at
