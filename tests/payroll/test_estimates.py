"""The simulator and the salary preview use the payroll engines through activities' hook."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from activities import calculations as activity_calculations
from payroll.calculations import (
    ContractPay,
    MaritalStatus,
    PayInput,
    TaxProfile,
    WorkerCategory,
    compute_pay,
)
from payroll.models import TaxProfile as StoredTaxProfile
from smartcoop.countries import load_pack
from tests.activities.factories import ActivityFactory, credit, make_member

ROOT = Path(__file__).resolve().parents[2]
D = Decimal


def test_activities_never_imports_payroll():
    """The hook keeps the picture true: payroll -> activities, never the other way."""
    for file in (ROOT / "activities").rglob("*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("payroll"), file
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("payroll") for a in node.names), file


def test_simulator_nets_come_from_the_engine_line_by_line():
    on = dt.date(2026, 6, 15)
    simulation = activity_calculations.simulate(
        amount_excl_vat=D("3000.00"), pack=load_pack("BE"), on=on
    )
    artistic = next(line for line in simulation.lines if line.contract_type == "artistic")
    engine = compute_pay(
        PayInput("BE", WorkerCategory.ARTIST, dt.date(2026, 6, 1), dt.date(2026, 6, 30),
                 (ContractPay("x", artistic.gross, D("164.67"), dt.date(2026, 6, 1),
                              dt.date(2026, 6, 30)),))
    )  # fmt: skip
    assert artistic.estimate.net == engine.net_pay
    assert [line.code for line in artistic.estimate.lines] == [
        line.code for line in engine.employee_lines
    ]
    assert artistic.estimate.lines[0].label == "Personal social security contribution"
    total = sum((line.amount for line in artistic.estimate.lines), D("0"))
    assert artistic.estimate.net + total == artistic.gross


def test_without_an_engine_answer_the_flat_estimate_is_kept():
    """The French CAPE pays no salary (no engine category); a Belgian date before the first key
    formula we hold has no parameters: both keep the flat estimate, without a breakdown."""
    french = activity_calculations.simulate(
        amount_excl_vat=D("1000.00"), pack=load_pack("FR"), on=dt.date(2026, 6, 1)
    )
    cape = next(line for line in french.lines if line.contract_type == "cape")
    assert cape.estimate.lines == () and cape.estimate.net == cape.gross
    old = activity_calculations.simulate(
        amount_excl_vat=D("1000.00"), pack=load_pack("BE"), on=dt.date(2025, 6, 1)
    )
    for line in old.lines:
        if line.contract_type == "student":  # within the quota no withholding is needed
            assert [x.code for x in line.estimate.lines] == ["student_solidarity"]
        else:
            assert line.estimate.lines == ()
            assert line.estimate.withholding > 0  # the flat 17 % of activities.yaml


@pytest.mark.django_db
@pytest.mark.entity_scope("activities_entity")  # the Activity of ActivityFactory
def test_salary_preview_uses_the_members_tax_profile_and_shows_the_lines(client):
    member = make_member()
    activity = ActivityFactory(coordinator=member)
    credit(activity, "20000.00")
    StoredTaxProfile.objects.create(member=member, valid_from=dt.date(2020, 1, 1),
                                    marital_status="couple", partner_has_income=False,
                                    dependent_children=1)  # fmt: skip
    client.force_login(member.user)
    start = dt.date.today() + dt.timedelta(days=9)
    response = client.post(
        reverse("activities:salary_request", args=[activity.public_id]),
        {"contract_type": "employee", "start_date": start, "end_date": start + dt.timedelta(20),
         "hours": "120", "gross_wage": "3500.00", "function": "Designer",
         "workplace_country": "BE", "workplace_address": ""},
    )  # fmt: skip
    estimate = response.context["preview"]["estimate"]
    first = start.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    expected = compute_pay(
        PayInput("BE", WorkerCategory.EMPLOYEE, first, last,
                 (ContractPay("x", D("3500.00"), D("120"), start,
                              min(start + dt.timedelta(20), last)),),
                 tax_profile=TaxProfile(marital_status=MaritalStatus.COUPLE,
                                        partner_has_income=False, dependent_children=1))
    )  # fmt: skip
    assert estimate.net == expected.net_pay
    body = response.content.decode()
    assert "Line by line" in body and "Withholding tax" in body
    assert "Computed by the payroll rules with your tax profile." in body


@pytest.mark.django_db
def test_simulator_api_gives_the_breakdown(client):
    response = client.get(reverse("api_activities_simulator"), {"amount": "3000"})
    assert response.status_code == 200
    employee = next(
        line for line in response.json()["lines"] if line["contract_type"] == "employee"
    )
    codes = [item["code"] for item in employee["breakdown"]]
    assert codes[0] == "ssc_personal" and "withholding_tax" in codes
    assert employee["breakdown"][0]["description"] == "Personal social security contribution"
