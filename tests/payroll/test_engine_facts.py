"""What a payslip tells the engines besides the pay (payroll/engine_facts.py): the French
executive status and intermittents on CDDU, the entity's AT/MP rate, and the Belgian exit
holiday pay when the member's last contract with the entity ends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from activities.models import EmploymentContract
from activities.services import contract_cancel, contract_set_executive_status, contract_validate
from payroll import services
from payroll.models import WorkAccidentRate
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry as AuditLog
from smartcoop.core.sectors import Sector
from smartcoop.countries.registry import load_pack
from tests.activities.factories import ActivityFactory, credit, salary_contract
from tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
D = Decimal


def month_start(months_ahead: int = 1) -> dt.date:
    day = dt.date.today().replace(day=1)
    for _ in range(months_ahead):
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day


@pytest.fixture
def france(settings):
    settings.COUNTRY_PACK = load_pack("FR")
    return settings.COUNTRY_PACK


def made(activity, *, day: int, kind: str, gross: str = "250.00", months_ahead: int = 1):
    contract = salary_contract(
        activity,
        gross=gross,
        start=month_start(months_ahead) + dt.timedelta(days=day),
        contract_type=kind,
    )
    return contract_validate(contract=contract, actor=None)


def pay(activity, contracts, *, months_ahead: int = 1, day: int = 40):
    return services.payslip_compute(
        entity=activity.entity,
        member=activity.coordinator,
        pay_date=month_start(months_ahead) + dt.timedelta(days=day),
        contracts=contracts,
        actor=None,
    )


def lines(payslip) -> dict[str, dict]:
    return {line["code"]: line for line in payslip.lines}


# --- France ---------------------------------------------------------------------------------


def test_a_cddu_in_music_is_an_artists_with_annexe_10_lines_and_the_default_at_mp_rate(france):
    activity = ActivityFactory(sector=Sector.MUSIC)
    credit(activity, "2000.00")
    payslip = pay(activity, [made(activity, day=3, kind="cddu")])
    by_code = lines(payslip)
    assert by_code["chomage_intermittent"]["amount"] == "6.00"  # 2.40 % of 250
    assert by_code["conges_spectacles"]["amount"] == "38.75"  # 15.50 % of 250
    assert D(by_code["maladie_employer"]["rate"]) == D("0.091")  # artists: 70 % of 13 %
    # no rate recorded for the entity: the national average of the pack, and the payslip says so
    assert D(by_code["at_mp"]["rate"]) == D("0.0208") * D("0.70")
    assert "at_mp_default_rate" in payslip.notes
    assert "reduction_generale" not in by_code


def test_the_entitys_recorded_at_mp_rate_applies_from_its_date(france):
    activity = ActivityFactory(sector=Sector.AUDIOVISUAL)  # a technician (annexe 8)
    credit(activity, "2000.00")
    services.work_accident_rate_record(
        entity=activity.entity, valid_from=month_start(1), rate=D("0.0125"),
        reference="CARSAT 2026-17", actor=None,
    )  # fmt: skip
    payslip = pay(activity, [made(activity, day=3, kind="cddu")])
    by_code = lines(payslip)
    assert D(by_code["at_mp"]["rate"]) == D("0.0125") and by_code["at_mp"]["amount"] == "3.13"
    assert "at_mp_default_rate" not in payslip.notes
    assert D(by_code["maladie_employer"]["rate"]) == D("0.13")  # technicians: full rates
    assert by_code["chomage_intermittent_employer"]["amount"] == "12.50"
    assert AuditLog.objects.filter(action="payroll.work_accident_rate.recorded").count() == 1
    with pytest.raises(ValidationFailed, match="between"):
        services.work_accident_rate_record(
            entity=activity.entity, valid_from=month_start(2), rate=D("1.5"), reference="",
            actor=None,
        )  # fmt: skip
    assert WorkAccidentRate.objects.count() == 1


def test_a_cadre_contract_pays_the_cadres_contributions(france):
    activity = ActivityFactory(sector=Sector.IT_DESIGN_WRITING)
    credit(activity, "20000.00")
    contract = made(activity, day=0, kind="cdi", gross="4200.00")
    contract = contract_set_executive_status(contract=contract, cadre=True, actor=None)
    payslip = pay(activity, [contract])
    assert payslip.category == "cadre"
    assert {"apec", "apec_employer"} <= set(lines(payslip))
    assert "chomage_intermittent" not in lines(payslip)  # a CDI is not an intermittent's


def test_one_payslip_does_not_mix_intermittent_and_other_contracts(france):
    activity = ActivityFactory(sector=Sector.MUSIC)
    credit(activity, "5000.00")
    cddu, cdi = made(activity, day=1, kind="cddu"), made(activity, day=5, kind="cdi")
    with pytest.raises(ValidationFailed, match="one kind"):
        pay(activity, [cddu, cdi])


def test_staff_set_the_executive_status_on_the_page_and_by_the_api(france, client):
    activity = ActivityFactory()
    credit(activity, "2000.00")
    contract = made(activity, day=2, kind="cddu")
    officer = staff_user("payroll_officer", entities=[activity.entity])
    client.force_login(officer)
    url = reverse("activities:staff_contract", args=[contract.public_id])
    assert "Set as executive (cadre)" in client.get(url).content.decode()
    client.post(url, {"action": "cadre", "cadre": "1"})
    contract.refresh_from_db()
    assert contract.cadre is True
    assert AuditLog.objects.filter(action="activities.contract.executive_status").count() == 1

    api = APIClient()
    api.force_authenticate(officer)
    path = f"/api/v1/activities/contracts/{contract.public_id}/executive-status/"
    response = api.post(path, {"cadre": False}, format="json")
    assert response.status_code == 200 and response.json()["cadre"] is False
    member_api = APIClient()
    member_api.force_authenticate(activity.coordinator.user)
    assert member_api.post(path, {"cadre": True}, format="json").status_code in (403, 404)
    contract.refresh_from_db()
    assert contract.cadre is False


def test_the_executive_status_does_not_exist_in_belgium():
    activity = ActivityFactory()
    credit(activity, "2000.00")
    contract = made(activity, day=2, kind="employee")
    with pytest.raises(ValidationFailed, match="does not exist"):
        contract_set_executive_status(contract=contract, cadre=True, actor=None)


def test_the_executive_status_is_fixed_once_the_contract_is_paid(france):
    activity = ActivityFactory()
    credit(activity, "2000.00")
    contract = made(activity, day=2, kind="cddu")
    EmploymentContract.objects.filter(pk=contract.pk).update(status="paid")
    with pytest.raises(Conflict):
        contract_set_executive_status(contract=contract, cadre=True, actor=None)


def test_staff_record_the_at_mp_rate_on_their_page(france, client):
    activity = ActivityFactory()
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    url = reverse("payroll:staff_work_accident_rates")
    page = client.get(url).content.decode()
    assert "national average" in page
    response = client.post(
        url, {"valid_from": dt.date.today().isoformat(), "rate_percent": "1.25", "reference": "N-1"}
    )
    assert response.status_code == 302
    assert WorkAccidentRate.objects.get(entity=activity.entity).rate == D("0.0125")
    bad = client.post(url, {"valid_from": dt.date.today().isoformat(), "rate_percent": "150"})
    assert bad.status_code == 200 and WorkAccidentRate.objects.count() == 1


# --- Belgium: exit holiday pay -------------------------------------------------------------


def test_no_exit_holiday_pay_while_a_later_contract_exists():
    activity = ActivityFactory()
    credit(activity, "5000.00")
    first = made(activity, day=3, kind="employee", gross="400.00", months_ahead=1)
    made(activity, day=3, kind="employee", gross="600.00", months_ahead=2)
    payslip = pay(activity, [first], months_ahead=1)
    assert "exit_holiday_pay" not in payslip.notes
    assert payslip.gross == D("400.00")


def test_the_last_contract_pays_exit_holiday_pay_on_everything_earned_since_the_last_exit():
    """Two monthly contracts: the first payslip has none (a later contract exists), the second
    pays 15.34 % of 400 + 600 = 153.40 (RULES.md Part II §1.1). A third contract after that exit
    pays the exit pay of its own gross only: nothing is paid twice."""
    activity = ActivityFactory()
    credit(activity, "8000.00")
    first = made(activity, day=3, kind="employee", gross="400.00", months_ahead=1)
    second = made(activity, day=3, kind="employee", gross="600.00", months_ahead=2)
    pay(activity, [first], months_ahead=1)
    exit_slip = pay(activity, [second], months_ahead=2)
    by_code = lines(exit_slip)
    assert by_code["exit_holiday_simple"]["base"] == "1000.00"
    earned = sum(D(x["amount"]) for x in exit_slip.lines if x["side"] == "earning")
    assert earned == D("153.40")  # 76.70 + 68.00 + 8.70
    assert exit_slip.gross == D("600.00") + earned
    assert exit_slip.net_pay + exit_slip.employee_deductions == exit_slip.gross
    assert "exit_holiday_pay" in exit_slip.notes

    third = made(activity, day=3, kind="employee", gross="200.00", months_ahead=3)
    again = pay(activity, [third], months_ahead=3)
    assert lines(again)["exit_holiday_simple"]["base"] == "200.00"


def test_a_cancelled_or_draft_later_contract_does_not_postpone_the_exit():
    activity = ActivityFactory()
    credit(activity, "5000.00")
    first = made(activity, day=3, kind="employee", gross="400.00", months_ahead=1)
    salary_contract(activity, gross="300.00", start=month_start(2) + dt.timedelta(days=4))
    cancelled = made(activity, day=9, kind="employee", gross="300.00", months_ahead=2)
    contract_cancel(contract=cancelled, reason="client withdrew", actor=None)
    payslip = pay(activity, [first], months_ahead=1)
    assert "exit_holiday_pay" in payslip.notes


def test_the_exit_holiday_pay_is_the_packs(settings):
    """A pack without `exit_holiday_pay` pays an employee's last contract without it."""
    from dataclasses import replace

    settings.COUNTRY_PACK = replace(load_pack("BE"), exit_holiday_pay=False)
    activity = ActivityFactory()
    credit(activity, "5000.00")
    payslip = pay(activity, [made(activity, day=3, kind="employee", gross="400.00")])
    assert "exit_holiday_pay" not in payslip.notes
    assert payslip.gross == D("400.00")
    settings.COUNTRY_PACK = load_pack("BE")
    again = pay(activity, [made(activity, day=10, kind="employee", gross="400.00")], day=41)
    assert "exit_holiday_pay" in again.notes


def test_artists_and_students_get_no_exit_holiday_pay():
    activity = ActivityFactory()
    credit(activity, "5000.00")
    artist = pay(activity, [made(activity, day=3, kind="artistic")])
    assert "exit_holiday_pay" not in artist.notes
    assert not [x for x in artist.lines if x["side"] == "earning"]


def test_a_cape_has_no_executive_status_button(france, client):
    """A CAPE pays no salary, so a cadre status would change nothing: no button, no field, and
    the service and the API refuse it."""
    activity = ActivityFactory()
    credit(activity, "2000.00")
    cape = made(activity, day=2, kind="cape")
    officer = staff_user("payroll_officer", entities=[activity.entity])
    client.force_login(officer)
    page = client.get(reverse("activities:staff_contract", args=[cape.public_id])).content.decode()
    assert "Set as executive (cadre)" not in page and "data-cadre" not in page
    with pytest.raises(ValidationFailed, match="pays no salary"):
        contract_set_executive_status(contract=cape, cadre=True, actor=None)
    api = APIClient()
    api.force_authenticate(officer)
    path = f"/api/v1/activities/contracts/{cape.public_id}/executive-status/"
    assert api.post(path, {"cadre": True}, format="json").status_code == 400
    cape.refresh_from_db()
    assert cape.cadre is False
