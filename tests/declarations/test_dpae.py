"""France: a validated CDDU or CDI gets its DPAE before work (due at the hour of hiring), held in
draft without a NIR; a CAPE gets none; an acknowledged DPAE declares the contract."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.contract_events import contract_statuses
from activities.models import EmploymentContract
from declarations.models import Declaration
from smartcoop.countries.registry import load_pack
from tests.factories import staff_user

from .helpers import make_contract, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]
NIR = "185077505612345"
SOON = dt.date.today() + dt.timedelta(days=5)


@pytest.fixture
def france(settings):
    settings.COUNTRY_PACK = load_pack("FR")


def test_a_cddu_gets_a_dpae_due_before_work(entity, france, client):
    activity = worker_activity(entity, national_number=NIR)
    member = activity.coordinator
    member.birth_date = dt.date(1985, 7, 30)
    member.save()
    # within the 8 days before the hiring a DPAE may be filed (test_pack_rules: held before)
    contract = make_contract(activity, kind="cddu", start=SOON)
    dpae = Declaration.objects.with_scopes_disabled().get(contract=contract)
    assert dpae.kind == "dpae" and dpae.status == "ready"
    assert timezone.localtime(dpae.due_at).date() == contract.start_date
    data = json.loads(dpae.payload)["dpae"]
    assert data["nature"] == "CDD" and data["nir"] == NIR
    assert data["hiring_date"] == contract.start_date.isoformat()
    assert data["siret"] == "".join(c for c in activity.entity.employer_number if c.isalnum())

    staff = staff_user("payroll_officer", entities=[activity.entity])
    client.force_login(staff)
    page = client.get(reverse("declarations:detail", args=[dpae.public_id]))
    assert "file it with URSSAF, then record the acknowledgement" in page.content.decode()
    refused = client.post(
        reverse("declarations:detail", args=[dpae.public_id]),
        {"action": "acknowledged"},
        follow=True,
    )
    assert "Give the acknowledgement number" in refused.content.decode()
    client.post(
        reverse("declarations:detail", args=[dpae.public_id]),
        {"action": "acknowledged", "reference": "DPAE-7781"},
    )
    dpae.refresh_from_db()
    assert dpae.status == "accepted" and dpae.authority_reference == "DPAE-7781" and dpae.sent_at
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.DECLARED
    assert contract_statuses(contract)[0].label == "Declared"


def test_without_nir_or_birth_date_the_dpae_waits_in_draft(entity, france):
    activity = worker_activity(entity, national_number="")
    contract = make_contract(activity, kind="cdi")
    dpae = Declaration.objects.with_scopes_disabled().get(contract=contract)
    assert dpae.status == "draft"
    assert [p["field"] for p in dpae.problems] == ["member.national_number", "member.birth_date"]


def test_a_cape_needs_no_dpae(entity, france):
    activity = worker_activity(entity, national_number=NIR)
    contract = make_contract(activity, kind="cape")
    assert not Declaration.objects.with_scopes_disabled().filter(contract=contract).exists()


def acknowledged_cddu(activity, client):
    """A CDDU whose DPAE payroll filed and recorded URSSAF's acknowledgement DPAE-7781 for."""
    member = activity.coordinator
    member.birth_date = dt.date(1985, 7, 30)
    member.save()
    contract = make_contract(activity, kind="cddu", days=2, start=SOON)
    dpae = Declaration.objects.with_scopes_disabled().get(contract=contract)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    client.post(
        reverse("declarations:detail", args=[dpae.public_id]),
        {"action": "acknowledged", "reference": "DPAE-7781"},
    )
    contract.refresh_from_db()
    assert contract.status == EmploymentContract.Status.DECLARED
    return contract, dpae


def test_moving_a_declared_cddu_cancels_its_dpae_and_files_a_new_one(entity, france, client):
    activity = worker_activity(entity, national_number=NIR)
    contract, original = acknowledged_cddu(activity, client)
    old_start = contract.start_date
    new_start, new_end = old_start + dt.timedelta(days=3), old_start + dt.timedelta(days=4)

    page = client.post(
        reverse("activities:staff_contract", args=[contract.public_id]),
        {
            "action": "dates",
            "start_date": new_start.isoformat(),
            "end_date": new_end.isoformat(),
            "hours": "16",
            "reason": "The venue moved the show",
        },
        follow=True,
    )
    assert "The contract&#x27;s dates are changed." in page.content.decode()

    cancellation = Declaration.objects.with_scopes_disabled().get(
        contract=contract, kind="dpae_cancel"
    )
    assert cancellation.status == "ready"
    cancelled = json.loads(cancellation.payload)["dpae_cancellation"]
    assert cancelled["cancels"] == original.reference
    assert cancelled["acknowledgement"] == "DPAE-7781"
    assert cancelled["hiring_date"] == old_start.isoformat() and cancelled["nir"] == NIR
    assert cancellation.due_at == original.due_at  # before the hiring first declared

    replacement = Declaration.objects.with_scopes_disabled().get(
        contract=contract, kind="dpae", corrects=original
    )
    assert replacement.status == "ready"
    data = json.loads(replacement.payload)["dpae"]
    assert (data["hiring_date"], data["end_date"]) == (new_start.isoformat(), new_end.isoformat())
    assert timezone.localtime(replacement.due_at).date() == new_start
    original.refresh_from_db()
    assert original.status == "accepted"  # what URSSAF acknowledged stays as it was

    # The contract page says the new DPAE is not filed yet; the staff see what to do.
    status = contract_statuses(contract)[0]
    assert (status.label, status.detail) == ("Not declared yet", "DPAE ready, to be sent.")
    page = client.get(reverse("declarations:detail", args=[cancellation.public_id]))
    assert "file it with URSSAF, then record the acknowledgement" in page.content.decode()
    client.post(
        reverse("declarations:detail", args=[replacement.public_id]),
        {"action": "acknowledged", "reference": "DPAE-7790"},
    )
    assert contract_statuses(contract)[0].label == "Declared"
    assert Declaration.objects.with_scopes_disabled().filter(contract=contract).count() == 3


def test_cancelling_a_declared_cddu_cancels_its_dpae(entity, france, client):
    from activities.services import contract_cancel

    activity = worker_activity(entity, national_number=NIR)
    contract, original = acknowledged_cddu(activity, client)
    contract_cancel(contract=contract, reason="The show is off", actor=None)
    cancellation = Declaration.objects.with_scopes_disabled().get(
        contract=contract, kind="dpae_cancel"
    )
    cancelled = json.loads(cancellation.payload)["dpae_cancellation"]
    assert (cancelled["cancels"], cancelled["reason"]) == (original.reference, "contract_cancelled")
    assert cancellation.status == "ready"


def test_a_dpae_due_soon_alerts_payroll_and_an_unacknowledged_one_blocks_the_contract(
    entity, france
):
    """The same alert and block as a Dimona: the payroll officer is told of a DPAE not filed
    within 48 hours of the hiring, and a contract whose DPAE is not acknowledged by its start
    says work may not start and cannot be marked performed."""
    from activities.services import contract_mark_performed
    from declarations import tasks
    from smartcoop.core.errors import Conflict
    from smartcoop.core.models import Notification

    activity = worker_activity(entity, national_number=NIR)
    member = activity.coordinator
    member.birth_date = dt.date(1985, 7, 30)
    member.save()
    contract = make_contract(activity, kind="cddu", start=dt.date.today() + dt.timedelta(days=1))
    dpae = Declaration.objects.with_scopes_disabled().get(contract=contract)
    Declaration.objects.with_scopes_disabled().filter(pk=dpae.pk).update(
        due_at=timezone.now() + dt.timedelta(hours=20)
    )
    officer = staff_user("payroll_officer", entities=[activity.entity])
    assert tasks.deadline_alerts() == 1
    told = Notification.objects.get(user=officer, kind="declarations.deadline_near")
    assert told.url == reverse("declarations:detail", args=[dpae.public_id])

    EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
        start_date=dt.date.today() - dt.timedelta(days=1),
        end_date=dt.date.today() - dt.timedelta(days=1),
    )
    contract.refresh_from_db()
    status = contract_statuses(contract)[0]
    assert status.tone == "bad"
    assert "Work may not start before the declaration is accepted." in status.detail
    with pytest.raises(Conflict):
        contract_mark_performed(contract=contract, actor=None)


def test_the_page_offers_to_record_an_answer_exactly_when_it_can_be_recorded(
    entity, france, client
):
    """The declaration's page decides from its STEPS (`record_answer`), not from status strings
    of its own: for each status, the acknowledgement form is there if and only if recording the
    acknowledgement goes through."""
    activity = worker_activity(entity, national_number=NIR)
    member = activity.coordinator
    member.birth_date = dt.date(1985, 7, 30)
    member.save()
    dpae = Declaration.objects.with_scopes_disabled().get(
        contract=make_contract(activity, kind="cddu", start=SOON)
    )
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    url = reverse("declarations:detail", args=[dpae.public_id])
    S = Declaration.Status
    offered = {}
    for status in (S.DRAFT, S.READY, S.SENT, S.ACCEPTED, S.REJECTED):
        Declaration.objects.with_scopes_disabled().filter(pk=dpae.pk).update(
            status=status, authority_message="refused" if status == S.REJECTED else ""
        )
        offered[status] = 'value="acknowledged"' in client.get(url).content.decode()
        client.post(url, {"action": "acknowledged", "reference": "DPAE-1"})
        recorded = Declaration.objects.with_scopes_disabled().get(pk=dpae.pk).status
        assert offered[status] == (recorded == S.ACCEPTED and status != S.ACCEPTED), status
    assert offered == {
        S.DRAFT: False,
        S.READY: True,
        S.SENT: True,
        S.ACCEPTED: False,
        S.REJECTED: False,
    }
