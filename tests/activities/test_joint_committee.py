"""The joint committee (paritair comité / commission paritaire) of a Belgian contract: a new
contract gets its type's default from the pack (`be.default_joint_committee`), the adviser checks
and changes it on the draft (page and API, field-level refusals, audited), the member reads it on
the contract page, the Dimona declares it. France has no joint committees: nothing changes there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree
from rest_framework.test import APIClient

from activities import services
from activities.models import EmploymentContract
from declarations.models import Declaration
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import AuditLogEntry
from smartcoop.countries.registry import load_pack
from tests.activities.factories import (
    ActivityFactory,
    activities_entity,
    credit,
    salary_contract,
)
from tests.declarations.helpers import worker_activity
from tests.factories import OfficeFactory, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
TODAY = dt.date.today()


@pytest.fixture
def activity():
    activity = ActivityFactory()
    credit(activity, "5000.00")
    return activity


@pytest.fixture
def adviser(activity):
    office = OfficeFactory()
    activity.coordinator.office = office
    activity.coordinator.save()
    return staff_user("adviser", office=office, entities=[activity.entity])


def page_text(response) -> str:
    import re
    from html import unescape

    return " ".join(unescape(re.sub("<[^>]+>", " ", response.content.decode())).split())


def test_a_new_belgian_contract_falls_under_its_types_default_committee(activity):
    employee = salary_contract(activity, contract_type="employee")
    artist = salary_contract(activity, contract_type="artistic")
    start = TODAY + dt.timedelta(days=30)
    performance = services.contract_create_for_performance(
        activity=activity,
        member=activity.coordinator,
        contract_type="artistic",
        start_date=start,
        end_date=start,
        hours=Decimal("6"),
        price_excl_vat=Decimal("1000.00"),
        function="Actor",
        source_type="invoicing.performance",
        source_id="jc-1",
        actor=None,
    )
    assert (employee.joint_committee, artist.joint_committee) == ("200", "304")
    assert performance.joint_committee == "304"
    created = AuditLogEntry.objects.filter(
        action="activities.contract.created", target_id=str(artist.public_id)
    ).get()
    assert created.data["joint_committee"] == "304"


def test_a_committee_given_at_creation_is_kept_in_its_declared_form(activity):
    contract = salary_contract(activity, joint_committee="PC 124")
    assert contract.joint_committee == "124"
    with pytest.raises(ValidationFailed) as error:
        salary_contract(activity, joint_committee="construction")
    assert error.value.field == "joint_committee"


def test_the_adviser_changes_it_before_validating_and_the_dimona_declares_it(client):
    activity = worker_activity(activities_entity())
    office = OfficeFactory()
    activity.coordinator.office = office
    activity.coordinator.save()
    client.force_login(staff_user("adviser", office=office, entities=[activity.entity]))
    contract = salary_contract(activity)
    url = reverse("activities:staff_contract", args=[contract.public_id])
    page = client.get(url)
    assert 'name="joint_committee" value="200"' in page.content.decode()

    page = client.post(
        url, {"action": "joint_committee", "joint_committee": " pc 124 "}, follow=True
    )
    assert "The contract falls under joint committee 124." in page_text(page)
    contract.refresh_from_db()
    assert contract.joint_committee == "124"
    change = AuditLogEntry.objects.get(action="activities.contract.joint_committee")
    assert change.data == {"from": "200", "to": "124"}

    client.post(url, {"action": "validate"})
    contract.refresh_from_db()
    assert contract.status == "validated"
    dimona = Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_in")
    root = etree.fromstring(dimona.payload.encode())
    assert [e.text for e in root.iter("{*}JointCommissionNbr")] == ["124"]
    # validated: the Dimona names it, the page no longer offers to change it
    assert 'name="joint_committee"' not in client.get(url).content.decode()
    with pytest.raises(Conflict, match="can no longer change"):
        services.contract_set_joint_committee(contract=contract, joint_committee="200", actor=None)


@pytest.mark.parametrize("typed", ["abc", "2000", "20", "200.1", "200-01", "٢٠٠", "PC"])
def test_nonsense_is_refused_at_the_field_and_nothing_is_stored(client, activity, adviser, typed):
    contract = salary_contract(activity)
    client.force_login(adviser)
    url = reverse("activities:staff_contract", args=[contract.public_id])
    page = client.post(url, {"action": "joint_committee", "joint_committee": typed})
    assert page.status_code == 200
    text = page_text(page)
    assert "A joint committee is a number of 3 digits" in text
    assert 'class="field has-error"' in page.content.decode()
    contract.refresh_from_db()
    assert contract.joint_committee == "200"
    assert not AuditLogEntry.objects.filter(action="activities.contract.joint_committee").exists()


def test_a_sub_committee_is_accepted(activity):
    contract = salary_contract(activity)
    contract = services.contract_set_joint_committee(
        contract=contract, joint_committee="302.01", actor=None
    )
    assert contract.joint_committee == "302.01"


def test_the_member_reads_it_on_the_contract_page(client, activity):
    contract = salary_contract(activity, contract_type="artistic")
    client.force_login(activity.coordinator.user)
    page = page_text(client.get(reverse("activities:contract", args=[contract.public_id])))
    assert "Joint committee 304" in page
    # the member is not offered to change it
    assert 'name="joint_committee"' not in page


def test_the_api_shows_it_and_lets_staff_change_a_draft(activity, adviser):
    contract = salary_contract(activity)
    path = f"/api/v1/activities/contracts/{contract.public_id}/joint-committee/"
    member_api = APIClient()
    member_api.force_authenticate(activity.coordinator.user)
    mine = member_api.get(f"/api/v1/activities/contracts/{contract.public_id}/").json()
    assert mine["joint_committee"] == "200"
    assert member_api.post(path, {"joint_committee": "124"}, format="json").status_code in (
        403,
        404,
    )

    api = APIClient()
    api.force_authenticate(adviser)
    refused = api.post(path, {"joint_committee": "12a"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_joint_committee"
    # in the adviser's language (Dutch here), naming what was typed
    assert "3 cijfers" in refused.json()["message"] and "12a" in refused.json()["message"]
    contract.refresh_from_db()
    assert contract.joint_committee == "200"
    changed = api.post(path, {"joint_committee": "329.02"}, format="json")
    assert changed.status_code == 200 and changed.json()["joint_committee"] == "329.02"
    contract.refresh_from_db()
    assert contract.joint_committee == "329.02"
    schema = api.get("/api/schema/").content.decode()
    assert "/joint-committee/" in schema


def test_france_has_no_joint_committee(settings, client, activity):
    settings.COUNTRY_PACK = load_pack("FR")
    contract = salary_contract(activity, contract_type="cddu")
    assert contract.joint_committee == ""
    with pytest.raises(ValidationFailed, match="do not exist"):
        services.contract_set_joint_committee(contract=contract, joint_committee="200", actor=None)
    with pytest.raises(ValidationFailed, match="do not exist"):
        salary_contract(activity, contract_type="cddu", joint_committee="200")
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    page = client.get(reverse("activities:staff_contract", args=[contract.public_id]))
    assert page.status_code == 200
    assert "Joint committee" not in page.content.decode()
    assert EmploymentContract.objects.get(pk=contract.pk).joint_committee == ""


def test_contracts_made_before_the_default_get_it_once_and_paid_ones_stay(activity):
    from io import StringIO

    from django.core.management import call_command

    draft = salary_contract(activity)
    declared = salary_contract(activity, contract_type="artistic")
    paid = salary_contract(activity)
    rows = EmploymentContract.objects.filter(pk__in=[draft.pk, declared.pk, paid.pk])
    rows.update(joint_committee="")
    rows.filter(pk=declared.pk).update(status="declared")
    rows.filter(pk=paid.pk).update(status="paid")
    out = StringIO()
    call_command("contracts_default_joint_committee", stdout=out)
    assert "2 contract(s) given their default joint committee." in out.getvalue()
    committees = dict(rows.values_list("pk", "joint_committee"))
    assert committees == {draft.pk: "200", declared.pk: "304", paid.pk: ""}
    assert AuditLogEntry.objects.filter(action="activities.contract.joint_committee").count() == 2
    call_command("contracts_default_joint_committee", stdout=out)
    assert "0 contract(s) given" in out.getvalue()
    assert AuditLogEntry.objects.filter(action="activities.contract.joint_committee").count() == 2


def test_each_default_is_declared_as_the_dimona_declared_a_contract_naming_none():
    """So giving the default to a contract already declared keeps it consistent with its
    Dimona: the default committee and 'none' give the same JointCommissionNbr, type by type."""
    from declarations.builders import DIMONA_JOINT_COMMITTEES
    from smartcoop.countries import param

    pack = load_pack("BE")
    # the table starts on 1 January 2016: the day before, no default
    assert pack.default_joint_committee("employee", on=dt.date(2015, 12, 31)) == ""
    for on in (dt.date(2016, 1, 1), TODAY):
        when_none = param("be.dimona_joint_committee", on=on)
        for kind in pack.contract_types:
            default = pack.default_joint_committee(kind.code, on=on)
            assert default, kind.code
            declared = default.split(".")[0]
            declared = declared if declared in DIMONA_JOINT_COMMITTEES else "XXX"
            assert declared == str(when_none[kind.code]), kind.code
