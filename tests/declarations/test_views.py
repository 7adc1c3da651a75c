"""The staff pages: the queue by deadline with the problems and the action in plain words, the
late count, the batch download and the answer upload; the member's contract page says whether
the contract is declared; another entity's declarations and non-payroll staff get 404."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from declarations import builders
from declarations.models import Declaration
from tests.factories import LegalEntityFactory, staff_user

from .helpers import make_contract, notification, worker_activity

pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("entity")]


def the_in(contract) -> Declaration:
    return Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_in")


def test_the_queue_is_sorted_by_deadline_and_says_what_to_do(entity, client):
    activity = worker_activity(entity)
    later = make_contract(activity, start=dt.date.today() + dt.timedelta(days=30))
    sooner = make_contract(activity, start=dt.date.today() + dt.timedelta(days=5))
    member = activity.coordinator
    member.national_number = ""
    member.save()
    draft = make_contract(activity, start=dt.date.today() + dt.timedelta(days=12))
    Declaration.objects.with_scopes_disabled().filter(pk=the_in(draft).pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    page = client.get(reverse("declarations:queue"))
    assert page.status_code == 200
    assert [row.contract for row in page.context["rows"]] == [draft, sooner, later]
    assert page.context["late"] == 1
    html = page.content.decode()
    assert "the worker has no national number (INSZ/NISS)" in html
    assert "Complete the data named above, then build it again." in html
    assert "Download the batch file and file it with the authority." in html


def test_staff_download_the_batch_and_upload_the_answer_then_the_member_sees_declared(
    entity, client
):
    activity = worker_activity(entity)
    contract = make_contract(activity)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    batch = client.post(reverse("declarations:batch"))
    assert batch.status_code == 200 and batch["Content-Type"] == "application/xml"
    assert builders.schema_errors(batch.content) == []
    assert client.post(reverse("declarations:batch")).status_code == 302  # nothing left

    unreadable = client.post(
        reverse("declarations:answer_upload"),
        {"answer": SimpleUploadedFile("answer.xml", b"garbage", content_type="text/xml")},
        follow=True,
    )
    assert "could not be read and was not applied" in unreadable.content.decode()
    assert the_in(contract).status == "sent"

    answer = notification((the_in(contract).reference, "4242", []))
    done = client.post(
        reverse("declarations:answer_upload"),
        {"answer": SimpleUploadedFile("answer.xml", answer, content_type="text/xml")},
        follow=True,
    )
    assert "Answer applied to 1 declarations." in done.content.decode()

    client.force_login(activity.coordinator.user)
    page = client.get(reverse("activities:contract", args=[contract.public_id]))
    html = page.content.decode()
    assert "Declared" in html and "Dimona IN accepted on" in html


def test_a_rejection_is_shown_and_corrected_from_its_page(entity, client):
    activity = worker_activity(entity)
    contract = make_contract(activity)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    client.post(reverse("declarations:batch"))
    answer = notification((the_in(contract).reference, "", [("00024-007", "Het INSZ is onbekend")]))
    client.post(
        reverse("declarations:answer_upload"),
        {"answer": SimpleUploadedFile("a.xml", answer, content_type="text/xml")},
    )
    rejected = the_in(contract)
    page = client.get(reverse("declarations:detail", args=[rejected.public_id]))
    html = page.content.decode()
    assert "00024-007" in html and "Het INSZ is onbekend" in html
    assert "Fix what the authority says, then correct" in html
    corrected = client.post(
        reverse("declarations:detail", args=[rejected.public_id]), {"action": "correct"}
    )
    correction = Declaration.objects.with_scopes_disabled().get(corrects=rejected)
    assert corrected["Location"] == reverse("declarations:detail", args=[correction.public_id])
    assert correction.status == "ready"


def test_each_anomaly_of_a_rejection_names_what_the_authority_refuses(entity, client):
    """The ONSS labels an anomaly by its zone's code only ("00024-003 Ongeldig"): the queue and
    the declaration page say which of the data sent it is about, next to the authority's words."""
    activity = worker_activity(entity)
    contract = make_contract(activity)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    client.post(reverse("declarations:batch"))
    answer = notification(
        (
            the_in(contract).reference,
            "",
            [("00024-003", "Ongeldig", "B"), ("00046-003", "Ongeldig", "B"), ("90017-1", "")],
        )
    )
    client.post(
        reverse("declarations:answer_upload"),
        {"answer": SimpleUploadedFile("a.xml", answer, content_type="text/xml")},
    )
    rejected = the_in(contract)
    for url in (
        reverse("declarations:detail", args=[rejected.public_id]),
        reverse("declarations:queue"),
    ):
        html = " ".join(unescape(re.sub("<[^>]+>", "", client.get(url).content.decode())).split())
        assert "00024-003 · the worker's national number (INSZ): Ongeldig" in html, url
        assert "00046-003 · the joint committee: Ongeldig" in html, url
        assert "90017-1" in html, url

    activity = worker_activity(entity)
    contract = make_contract(activity)
    declaration = the_in(contract)
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    assert (
        client.get(reverse("declarations:detail", args=[declaration.public_id])).status_code == 404
    )
    assert (
        client.get(reverse("declarations:payload", args=[declaration.public_id])).status_code == 404
    )
    page = client.get(reverse("declarations:queue"))
    assert list(page.context["rows"]) == []
    client.force_login(staff_user("customer_service", entities=[activity.entity]))
    assert client.get(reverse("declarations:queue")).status_code == 404
    client.force_login(activity.coordinator.user)
    assert client.get(reverse("declarations:queue")).status_code in (302, 404)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    payload = client.get(reverse("declarations:payload", args=[declaration.public_id]))
    assert payload.status_code == 200 and payload.content.decode() == declaration.payload


def test_the_dashboard_warns_of_declarations_due_soon_and_late(entity, client):
    activity = worker_activity(entity)
    soon = make_contract(activity, start=dt.date.today() + dt.timedelta(days=1))
    make_contract(activity, start=dt.date.today() + dt.timedelta(days=20))
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    widgets = {
        w["key"]: w["figure"]
        for w in client.get(reverse("core:backoffice_home")).context["widgets"]
    }
    figure = widgets["declarations_due"]
    assert (figure.value, figure.tone, str(figure.note)) == (1, "warn", "0 late")
    # The queue marks it too (within the pack's 48 hours), not the one due in 20 days.
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert queue.count("data-due-soon") == 1
    row = queue.split(f'data-declaration="{the_in(soon).public_id}"')[1].split("</tr>")[0]
    assert "due soon" in row
    Declaration.objects.with_scopes_disabled().filter(pk=the_in(soon).pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    widgets = {
        w["key"]: w["figure"]
        for w in client.get(reverse("core:backoffice_home")).context["widgets"]
    }
    figure = widgets["declarations_due"]
    assert (figure.value, figure.tone, str(figure.note)) == (1, "bad", "1 late")
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert "data-due-soon" not in queue and queue.count('badge-bad">late<') == 1


def test_the_queue_lists_a_quarters_filing_as_the_quarter(entity, client):
    from declarations.models import FilingJob

    FilingJob.objects.create(entity=entity, kind="dmfa", period="20263", state="done")
    FilingJob.objects.create(entity=entity, kind="dsn", period="2026-11", state="failed")
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    html = " ".join(
        unescape(
            re.sub("<[^>]+>", "", client.get(reverse("declarations:queue")).content.decode())
        ).split()
    )
    assert "DmfA of a quarter 2026 Q3 · Done" in html and "20263" not in html
    assert "DSN of a month 2026-11 · Failed" in html
