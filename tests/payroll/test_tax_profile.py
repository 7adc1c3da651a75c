"""The member's tax profile: page, API, dated history, staff list of incomplete profiles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from payroll import selectors
from payroll.calculations import MaritalStatus
from payroll.models import TaxProfile
from smartcoop.core.models import AuditLogEntry
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract
from tests.factories import LegalEntityFactory, staff_user

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]


@pytest.fixture
def member():
    return make_member()


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def form_data(**overrides):
    data = {
        "valid_from": timezone.localdate().isoformat(),
        "marital_status": "couple",
        "partner_has_income": "",
        "dependent_children": "2",
        "disabled_children": "1",
        "other_dependants": "0",
    }
    data.update(overrides)
    return data


def test_a_member_without_profile_sees_the_legal_default_and_completes_it(member_client, member):
    page = member_client.get(reverse("payroll:tax_profile"))
    assert page.status_code == 200
    assert "legal default: single, no dependants" in page.content.decode()
    assert selectors.tax_profile_at(member=member, on=timezone.localdate()).is_default

    response = member_client.post(reverse("payroll:tax_profile"), form_data(), follow=True)
    assert "Your tax profile was saved." in response.content.decode()
    profile = selectors.tax_profile_at(member=member, on=timezone.localdate())
    assert not profile.is_default
    assert profile.marital_status == MaritalStatus.COUPLE and not profile.partner_has_income
    assert (profile.dependent_children, profile.disabled_children) == (2, 1)
    assert AuditLogEntry.objects.filter(action="payroll.tax_profile.recorded").count() == 1


def test_bad_input_is_refused_at_its_field_and_nothing_is_stored(member_client, member):
    response = member_client.post(
        reverse("payroll:tax_profile"), form_data(dependent_children="1", disabled_children="2")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "disabled_children": [
            "Children with a disability are counted among the dependent children."
        ]
    }
    single_with_partner = member_client.post(
        reverse("payroll:tax_profile"), form_data(marital_status="single", partner_has_income="on")
    )
    assert "partner_has_income" in single_with_partner.context["form"].errors
    assert not TaxProfile.objects.exists()


def test_a_change_cannot_apply_to_the_past(member_client):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = member_client.post(
        reverse("payroll:tax_profile"), form_data(valid_from=yesterday.isoformat())
    )
    assert "valid_from" in response.context["form"].errors
    assert not TaxProfile.objects.exists()


def test_a_change_applies_from_its_date_and_the_past_values_are_kept(member_client, member):
    today = timezone.localdate()
    member_client.post(reverse("payroll:tax_profile"), form_data(marital_status="single",
                                                                  dependent_children="0",
                                                                  disabled_children="0"))  # fmt: skip
    later = today + dt.timedelta(days=40)
    member_client.post(reverse("payroll:tax_profile"), form_data(valid_from=later.isoformat()))
    assert TaxProfile.objects.filter(member=member).count() == 2
    assert selectors.tax_profile_at(member=member, on=today).marital_status == "single"
    assert selectors.tax_profile_at(member=member, on=later).dependent_children == 2
    page = member_client.get(reverse("payroll:tax_profile")).content.decode()
    assert page.count("<tr>") >= 3  # header + two entries of the history


def test_api_reads_and_records_my_profile_only(client, member):
    other = make_member()
    TaxProfile.objects.create(member=other, valid_from=dt.date(2020, 1, 1),
                              marital_status="couple", partner_has_income=True)  # fmt: skip
    client.force_login(member.user)
    url = reverse("api_payroll_tax_profile")
    assert client.get(url).json() == {"complete": False, "current": None, "history": []}

    created = client.post(
        url,
        {"valid_from": timezone.localdate().isoformat(), "marital_status": "single",
         "dependent_children": 1},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert body["complete"] is True and body["current"]["dependent_children"] == 1
    assert len(body["history"]) == 1  # never the other member's entry

    refused = client.post(
        url,
        {"valid_from": timezone.localdate().isoformat(), "marital_status": "single",
         "partner_has_income": True},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["extra"]["field"] == "partner_has_income"
    assert TaxProfile.objects.filter(member=member).count() == 1


def test_api_refuses_anonymous_callers(client):
    assert client.get(reverse("api_payroll_tax_profile")).status_code in (401, 403)


def test_staff_see_members_of_their_entity_whose_profile_is_incomplete(client):
    entity = LegalEntityFactory()
    activity = ActivityFactory(entity=entity)
    credit(activity, "5000.00")
    salary_contract(activity)
    completed = ActivityFactory(entity=entity)
    credit(completed, "5000.00")
    salary_contract(completed)
    TaxProfile.objects.create(member=completed.coordinator, valid_from=dt.date(2020, 1, 1),
                              marital_status="single")  # fmt: skip
    elsewhere = ActivityFactory(entity=LegalEntityFactory())
    credit(elsewhere, "5000.00")
    salary_contract(elsewhere)

    client.force_login(staff_user("payroll_officer", entities=[entity]))
    page = client.get(reverse("payroll:staff_incomplete_profiles"))
    assert page.status_code == 200
    listed = list(page.context["members"])
    assert listed == [activity.coordinator]

    client.force_login(staff_user("customer_service", entities=[entity]))
    assert client.get(reverse("payroll:staff_incomplete_profiles")).status_code == 404


def test_the_database_refuses_a_rate_outside_0_and_1(member):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        TaxProfile.objects.create(member=member, valid_from=dt.date(2030, 1, 1),
                                  marital_status="single", fr_pas_rate=Decimal("1.5"))  # fmt: skip
