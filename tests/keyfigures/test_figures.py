"""Each key figure against the hand-computed data set of conftest.py, and the reconciliations."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from invoicing.models import Invoice
from keyfigures import report, selectors
from keyfigures.selectors import Scope


def scope(ds, **kw) -> Scope:
    return Scope(year=ds["year"], entity_ids=ds["entities"], **kw)


def by(rows, key, value):
    return {r[key]: r[value] for r in rows}


def test_turnover_by_entity_is_issued_invoices_minus_credit_notes(dataset):
    rows = {r["entity__name"]: r for r in selectors.turnover_by_entity(scope(dataset))}
    assert set(rows) == {"SmartCoop", "Verenigde Producties"}  # never an entity not asked for
    assert rows["SmartCoop"]["invoiced"] == Decimal("1500.00")
    assert rows["SmartCoop"]["credited"] == Decimal("200.00")
    assert rows["SmartCoop"]["turnover"] == Decimal("1300.00")
    assert rows["SmartCoop"]["invoices"] == 2
    assert rows["Verenigde Producties"]["turnover"] == Decimal("300.00")
    previous = selectors.turnover_by_entity(scope(dataset).previous())
    assert by(previous, "entity__name", "turnover") == {"SmartCoop": Decimal("800.00")}


def test_turnover_reconciles_with_the_issued_documents(dataset):
    """Sum over entities = issued invoices minus credit notes of the year, counted separately."""
    total = sum(r["turnover"] for r in selectors.turnover_by_entity(scope(dataset)))
    docs = Invoice.objects.with_scopes_disabled().filter(
        entity_id__in=dataset["entities"], issue_date__year=dataset["year"], number__isnull=False
    )
    invoiced = docs.filter(kind="invoice").aggregate(s=Sum("total_excl_vat"))["s"]
    credited = docs.filter(kind="credit_note").aggregate(s=Sum("total_excl_vat"))["s"]
    assert total == invoiced - credited == Decimal("1600.00")


def test_invoiced_by_client_country_and_by_tool(dataset):
    s = scope(dataset)
    assert by(selectors.invoiced_by_client_country(s), "client__country", "turnover") == {
        "BE": Decimal("800.00"),
        "FR": Decimal("500.00"),
        "NL": Decimal("300.00"),
    }
    assert by(selectors.invoiced_by_tool(s), "tool", "turnover") == {
        "activity": Decimal("1100.00"),
        "contract": Decimal("500.00"),
    }
    only_contract_tool = selectors.turnover_by_entity(scope(dataset, tool="contract"))
    assert by(only_contract_tool, "entity__name", "turnover") == {"SmartCoop": Decimal("500.00")}


def test_work_budget_headcount_hours_and_fte_by_dimension(dataset):
    s = scope(dataset)
    by_type = {r["key"]: r for r in selectors.work_by(s, "contract_type")}
    assert by_type["employee"]["work_budget"] == Decimal("400.00")
    assert by_type["artistic"]["work_budget"] == Decimal("600.00")
    assert by_type["artistic"]["hours"] == Decimal("16.00")
    assert by_type["artistic"]["days"] == 2
    assert by_type["student"]["workers"] == 1
    assert by(selectors.work_by(s, "tool"), "key", "work_budget") == {
        "activity": Decimal("500.00"),
        "contract": Decimal("600.00"),
    }
    assert by(selectors.work_by(s, "entity"), "key", "workers") == {
        "SmartCoop": 1,  # ann, counted once for two contracts
        "Verenigde Producties": 1,
    }
    assert by(selectors.work_by(s, "sector"), "key", "contracts") == {"music": 2, "training": 1}
    totals = selectors.work_totals(s)
    assert totals["work_budget"] == Decimal("1100.00")
    assert totals["workers"] == 2
    assert totals["hours"] == Decimal("28.00")
    # 28 h / 1,976 h a year (38 h x 52, be.fte_annual_hours) = 0.014 → 0.0
    assert totals["fte"] == Decimal("0.0")
    assert selectors.work_totals(s.previous())["work_budget"] == Decimal("250.00")


def test_work_budget_reconciles_with_the_salary_costs_of_the_ledger(dataset):
    s = scope(dataset)
    assert selectors.ledger_work_budget(s) == selectors.work_totals(s)["work_budget"]
    assert selectors.ledger_work_budget(s.previous()) == Decimal("250.00")
    figures = report.build(s)
    assert all(check["ok"] for check in figures.checks)


def test_filters_narrow_every_work_figure(dataset):
    assert selectors.work_totals(scope(dataset, sector="training"))["work_budget"] == Decimal(
        "100.00"
    )
    assert selectors.work_totals(scope(dataset, contract_type="artistic"))["contracts"] == 1
    office = scope(dataset, office_id=dataset["office"].pk)
    assert selectors.work_totals(office)["work_budget"] == Decimal("1100.00")
    assert selectors.work_totals(scope(dataset, office_id=dataset["other_office"].pk))[
        "work_budget"
    ] == Decimal("0.00")


def test_members_by_age_band_region_and_movements(dataset):
    s = scope(dataset)
    assert by(selectors.members_by_age_band(s), "band", "members") == {
        "35-44": 1,  # ann, born 1990: 36 on 31 Dec 2026
        "65+": 1,  # bob, born 1960
        "": 1,  # cleo: no birth date
    }
    assert by(selectors.members_by_region(s), "region", "members") == {
        "brussels": 1,
        "flanders": 1,
        "abroad": 1,
    }
    assert selectors.member_movements(s) == {
        "at_year_end": 3,
        "new": 2,
        "left": 1,
        "legal_persons": 0,
    }
    previous = selectors.member_movements(s.previous())
    assert previous["at_year_end"] == 2  # ann and the member who left in 2026
    assert by(selectors.members_by_region(s.previous()), "region", "members") == {
        "brussels": 1,
        "wallonia": 1,
    }
    office_only = selectors.member_movements(scope(dataset, office_id=dataset["office"].pk))
    assert office_only["at_year_end"] == 2


def test_the_regions_are_the_packs_postcode_ranges(dataset, settings):
    """A pack states its regions by postcode (Belgium: bpost's); without any, members are
    counted by the country of their address."""
    from dataclasses import replace

    from smartcoop.countries import load_pack

    s = scope(dataset)
    regions = (("north", 1000, 4999), ("south", 5000, 9999))
    settings.COUNTRY_PACK = replace(load_pack("BE"), postcode_regions=regions)
    assert by(selectors.members_by_region(s), "region", "members") == {
        "north": 1,  # ann, 1050
        "south": 1,  # bob, 9000
        "abroad": 1,  # cleo, in France
    }
    settings.COUNTRY_PACK = replace(load_pack("BE"), postcode_regions=())
    assert by(selectors.members_by_region(s), "region", "members") == {"BE": 2, "FR": 1}


def test_member_year_summary_is_the_members_own_activities(dataset):
    summary = selectors.member_year_summary(member=dataset["ann"], year=dataset["year"])
    assert summary["invoiced"] == Decimal("1300.00")
    assert summary["salaries"] == Decimal("1000.00")
    assert selectors.member_year_summary(member=dataset["cleo"], year=dataset["year"])[
        "invoiced"
    ] == Decimal("0.00")


def test_report_compares_with_the_previous_year(dataset):
    figures = report.build(scope(dataset))
    turnover = next(t for t in figures.tables if t.key == "turnover_by_entity")
    smart = next(r for r in turnover.rows if r.label == "SmartCoop")
    assert smart.previous == Decimal("800.00")
    assert smart.change == Decimal("0.6250")  # 1300 vs 800
    assert turnover.total is not None and turnover.total.values["turnover"] == Decimal("1600.00")
    assert turnover.chart[0]["width"] > 0
    flat = report.flat_rows(figures)
    assert [
        "Turnover by entity",
        "SmartCoop",
        "Turnover excl. VAT",
        Decimal("1300.00"),
        Decimal("800.00"),
    ] in flat


def test_share_categories_from_the_register(dataset):
    rows = {r["category"]: r for r in selectors.share_categories(scope(dataset))}
    assert rows["A"]["held"] == 5 and rows["A"]["capital"] == Decimal("125.00")
    assert rows["A"]["subscribed"] == 3  # in 2026 only
    assert rows["B"]["held"] == 0 and rows["B"]["redeemed"] == -1
    previous = {r["category"]: r for r in selectors.share_categories(scope(dataset).previous())}
    assert previous == {"A": previous["A"]} and previous["A"]["held"] == 2


def test_loans_solidarity_fund_and_payslips(dataset):
    s = scope(dataset)
    loans = selectors.loan_figures(s)
    assert loans["disbursed"] == 1
    assert loans["disbursed_amount"] == Decimal("1000.00")
    assert loans["refused"] == 1
    assert loans["outstanding_now"] == Decimal("800.00")
    fund = selectors.solidarity_figures(s)
    assert fund["contributions"] == Decimal("30.00")
    assert (fund["accepted"], fund["refused"], fund["paid"]) == (1, 1, Decimal("150.00"))
    payroll = selectors.payroll_totals(s)
    assert payroll["payslips"] == 2 and payroll["gross"] == Decimal("800.00")
    assert payroll["employer_cost"] == Decimal("1600.00")
    assert selectors.payroll_totals(s.previous())["payslips"] == 0
