import datetime as dt

import pytest
from rest_framework.test import APIClient

from activities.models import EmploymentContract
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract
from tests.factories import LegalEntityFactory, OfficeFactory, staff_user

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
TODAY = dt.date.today()


@pytest.fixture
def member():
    return make_member()


@pytest.fixture
def activity(member):
    activity = ActivityFactory(coordinator=member)
    credit(activity, "1000.00")
    return activity


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def test_simulator_needs_no_login():
    response = APIClient().get("/api/v1/activities/simulator/", {"amount": "1000"})
    assert response.status_code == 200
    lines = {line["contract_type"]: line for line in response.json()["lines"]}
    assert response.json()["budget"] == "935.00"
    assert lines["student"]["gross"] == "857.80"
    assert response.json()["is_estimate"] is True


def test_simulator_bad_input_uses_the_error_shape():
    response = APIClient().get("/api/v1/activities/simulator/", {"amount": "abc"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_member_lists_own_activities_in_few_queries(api, activity, django_assert_max_num_queries):
    for _ in range(3):
        ActivityFactory(coordinator=activity.coordinator)
    ActivityFactory()  # someone else's
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/activities/")
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_detail_ledger_and_months(api, activity):
    detail = api.get(f"/api/v1/activities/{activity.public_id}/").json()
    assert detail["budget"]["available"] == "935.00"
    ledger = api.get(f"/api/v1/activities/{activity.public_id}/ledger/").json()
    assert {e["kind"] for e in ledger["results"]} == {"client_payment", "management_fee"}
    months = api.get(f"/api/v1/activities/{activity.public_id}/months/?months=3").json()
    assert len(months) == 3 and months[-1]["closing_balance"] == "935.00"


@pytest.mark.parametrize("suffix", ["", "ledger/", "months/"])
def test_another_members_activity_is_404(api, suffix):
    other = ActivityFactory()
    response = api.get(f"/api/v1/activities/{other.public_id}/{suffix}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_salary_request_and_refusal_with_figures(api, activity):
    url = f"/api/v1/activities/{activity.public_id}/salary-requests/"
    start = (TODAY + dt.timedelta(days=5)).isoformat()
    body = {
        "contract_type": "employee",
        "start_date": start,
        "end_date": start,
        "hours": "8",
        "gross_wage": "700.00",
        "function": "Singer",
    }
    refused = api.post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "insufficient_budget"
    assert refused.json()["extra"]["available"] == "935.00"
    created = api.post(url, {**body, "gross_wage": "300.00"}, format="json")
    assert created.status_code == 201
    assert created.json()["employer_cost"] == "465.00"


def test_contracts_are_own_only_and_cancellable_before_start(api, activity):
    mine = salary_contract(activity)
    other_activity = ActivityFactory()
    credit(other_activity, "1000.00")
    theirs = salary_contract(other_activity)
    listing = api.get("/api/v1/activities/contracts/").json()
    assert [c["id"] for c in listing["results"]] == [str(mine.public_id)]
    assert api.get(f"/api/v1/activities/contracts/{theirs.public_id}/").status_code == 404
    cancelled = api.post(
        f"/api/v1/activities/contracts/{mine.public_id}/cancel/", {"reason": "no gig"}
    )
    assert cancelled.json()["status"] == "cancelled"
    assert (
        api.post(
            f"/api/v1/activities/contracts/{theirs.public_id}/cancel/", {"reason": "x"}
        ).status_code
        == 404
    )
    assert EmploymentContract.objects.get(pk=theirs.pk).status == "draft"


def test_staff_see_their_entity_and_office_only(activity):
    office = OfficeFactory()
    activity.coordinator.office = office
    activity.coordinator.save()
    adviser = staff_user("adviser", office=office, entities=[activity.entity])
    elsewhere = ActivityFactory(entity=activity.entity)  # another office
    client = APIClient()
    client.force_authenticate(adviser)
    ids = [a["id"] for a in client.get("/api/v1/activities/").json()["results"]]
    assert ids == [str(activity.public_id)]
    assert client.get(f"/api/v1/activities/{elsewhere.public_id}/").status_code == 404
    stranger = staff_user("accountant", entities=[LegalEntityFactory()])
    client.force_authenticate(stranger)
    assert client.get(f"/api/v1/activities/{activity.public_id}/").status_code == 404


def test_loan_register_is_for_staff_who_decide_loans(api, activity):
    assert api.get("/api/v1/activities/loans/").status_code == 403
    accountant = staff_user("accountant", entities=[activity.entity])
    client = APIClient()
    client.force_authenticate(accountant)
    assert client.get("/api/v1/activities/loans/").status_code == 200


def test_schema_documents_the_activities_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/activities/simulator/" in schema
    assert "salary-requests" in schema
