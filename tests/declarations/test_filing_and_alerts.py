"""The Dimona OUT of an open-ended employment, queued by the daily sweep when it ends (due the
next working day, once); the hourly alert to the entity's payroll officers of declarations due
soon and not filed (once per declaration); the payroll officer's one-action filing of a quarter,
built by the real Celery worker while the page shows its progress, and its failed state."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from declarations import builders, dmfa, services, tasks
from declarations.models import Declaration, FilingJob
from payroll import services as payroll
from payroll.models import Payslip
from smartcoop.core.models import Notification, TaskFailure
from smartcoop.core.notifications import render_text
from tests.factories import LegalEntityFactory, staff_user

from .helpers import make_contract, notification, worker_activity
from .test_dmfa import next_month_start, paid

S = Declaration.Status


def the_in(contract) -> Declaration:
    return Declaration.objects.with_scopes_disabled().get(contract=contract, kind="dimona_in")


def accept(contract, period: str) -> None:
    services.outbox_batch(entity=contract.entity, actor=None)
    services.answer_upload(
        entity=contract.entity,
        raw=notification((the_in(contract).reference, period, [])),
        actor=None,
    )


def outs(contract):
    return Declaration.objects.with_scopes_disabled().filter(contract=contract, kind="dimona_out")


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_an_open_ended_employment_gets_its_dimona_out_when_it_ends(entity, time_machine):
    activity = worker_activity(entity)
    open_ended = make_contract(activity, days=20, kind="open_ended")
    fixed = make_contract(activity, start=open_ended.end_date + dt.timedelta(days=3), days=2)
    root = etree.fromstring(the_in(open_ended).payload.encode())
    assert root.find("Form/DimonaIn/EndingDate") is None  # the IN leaves the period open
    assert root.findtext("Form/DimonaIn/StartingDate") == open_ended.start_date.isoformat()
    assert (
        etree.fromstring(the_in(fixed).payload.encode()).find("Form/DimonaIn/EndingDate")
        is not None
    )
    accept(open_ended, "5501")
    accept(fixed, "5502")

    assert (
        services.dimona_out_queue(entity=entity, today=open_ended.end_date - dt.timedelta(days=1))
        == []
    )
    time_machine.move_to(
        dt.datetime.combine(
            open_ended.end_date, dt.time(6, 0), tzinfo=timezone.get_current_timezone()
        )
    )
    assert tasks.dimona_out_sweep() == 1
    out = outs(open_ended).get()
    assert out.status == S.READY and out.inputs["period_id"] == "5501"
    body = etree.fromstring(out.payload.encode())
    assert body.findtext("Form/DimonaOut/DimonaPeriodId") == "5501"
    assert body.findtext("Form/DimonaOut/EndingDate") == open_ended.end_date.isoformat()
    assert builders.schema_errors(out.payload.encode()) == []
    due = timezone.localtime(out.due_at).date()
    assert due > open_ended.end_date and due.weekday() < 5
    assert (due - open_ended.end_date).days <= 3  # the first working day after the end
    assert tasks.dimona_out_sweep() == 0 and outs(open_ended).count() == 1
    # A fixed-term contract gave its end in the IN: no OUT, even after its end.
    time_machine.move_to(
        dt.datetime.combine(fixed.end_date, dt.time(6, 0), tzinfo=timezone.get_current_timezone())
    )
    assert tasks.dimona_out_sweep() == 0 and not outs(fixed).exists()


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_payroll_officers_are_told_once_of_a_declaration_due_soon(entity, other_entity):
    activity = worker_activity(entity)
    accepted = make_contract(activity, start=dt.date.today() + dt.timedelta(days=12))
    accept(accepted, "1")
    soon = make_contract(activity, start=dt.date.today() + dt.timedelta(days=1))
    later = make_contract(activity, start=dt.date.today() + dt.timedelta(days=9))
    Declaration.objects.with_scopes_disabled().filter(pk=the_in(accepted).pk).update(
        due_at=timezone.now() + dt.timedelta(hours=3)
    )
    Declaration.objects.with_scopes_disabled().filter(pk=the_in(soon).pk).update(
        due_at=timezone.now() + dt.timedelta(hours=30)
    )
    officer = staff_user("payroll_officer", entities=[activity.entity])
    elsewhere = staff_user("payroll_officer", entities=[other_entity])
    adviser = staff_user("adviser", entities=[activity.entity])

    assert tasks.deadline_alerts() == 1
    told = Notification.objects.get(user=officer, kind="declarations.deadline_near")
    text = render_text(told)
    assert "Dimona IN" in text and soon.member.display_name in text and "not filed" in text
    assert told.url == reverse("declarations:detail", args=[the_in(soon).public_id])
    assert told.email == Notification.Email.PENDING
    assert not Notification.objects.filter(user__in=[elsewhere, adviser]).exists()
    assert the_in(soon).alerted_at is not None and the_in(later).alerted_at is None

    assert tasks.deadline_alerts() == 0
    assert Notification.objects.filter(kind="declarations.deadline_near").count() == 1


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_a_filing_that_fails_says_so_and_can_be_filed_again(entity, client):
    activity = worker_activity(entity)
    month = next_month_start()
    contract = make_contract(activity, start=month + dt.timedelta(days=2))
    draft = payroll.payslip_compute(
        entity=entity,
        member=contract.member,
        pay_date=month + dt.timedelta(days=40),
        contracts=[contract],
        actor=None,
    )
    # A payslip line the DmfA cannot read (written before approval, when lines may change).
    Payslip.objects.with_scopes_disabled().filter(pk=draft.pk).update(
        lines=[*draft.lines, {"code": "ssc_personal", "amount": "n/a"}]
    )
    draft.refresh_from_db()
    payroll.payslip_approve(payslip=draft, actor=None, now=timezone.now(), render_pdf=False)
    quarter = dmfa.quarter_of(next_month_start())
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    refused = client.post(
        reverse("declarations:file"), {"kind": "dmfa", "period": "2026Q9"}, follow=True
    )
    assert "Choose a quarter." in refused.content.decode()
    assert not FilingJob.objects.with_scopes_disabled().exists()

    job = services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None)
    assert services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None) == job
    page = client.get(reverse("declarations:filing", args=[job.public_id])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Waiting to start" in page
    from decimal import InvalidOperation

    with pytest.raises(InvalidOperation):
        services.filing_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == FilingJob.State.FAILED and "InvalidOperation" in job.message
    assert not Declaration.objects.with_scopes_disabled().filter(kind="dmfa").exists()
    fragment = client.get(reverse("declarations:filing_progress", args=[job.public_id]))
    html = fragment.content.decode()
    assert "The filing failed: nothing was filed." in html and "hx-trigger" not in html
    assert "File it again" in html
    again = services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None)
    assert again != job and again.state == FilingJob.State.QUEUED

    other = staff_user("payroll_officer", entities=[LegalEntityFactory()])
    client.force_login(other)
    assert client.get(reverse("declarations:filing", args=[job.public_id])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.entity_scope("entity")
def test_payroll_files_the_quarter_with_one_action_on_the_worker(entity, client, celery_worker):
    activity = worker_activity(entity)
    paid(activity, None, "employee", [2, 9])
    quarter = dmfa.quarter_of(next_month_start())
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    queue = client.get(reverse("declarations:queue")).content.decode()
    assert "File the quarter" in queue
    started = client.post(reverse("declarations:file"), {"kind": "dmfa", "period": quarter})
    job = FilingJob.objects.with_scopes_disabled().get()
    assert started["Location"] == reverse("declarations:filing", args=[job.public_id])
    progress_url = reverse("declarations:filing_progress", args=[job.public_id])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state not in FilingJob.ACTIVE_STATES:
            break
        time.sleep(0.3)
    assert job.state == FilingJob.State.DONE, job.message
    fragment = client.get(progress_url).content.decode()
    assert "hx-trigger" not in fragment and 'value="100"' in fragment
    assert "DmfA (quarter) built and valid" in fragment
    declaration = job.declaration
    assert declaration.kind == "dmfa" and declaration.status == S.READY
    assert dmfa.dmfa_errors(declaration.payload.encode()) == []
    assert not TaskFailure.objects.exists()


@pytest.mark.django_db
@pytest.mark.entity_scope("entity")
def test_the_queue_says_a_filing_done_with_data_missing_needs_data(entity, client):
    """A filing that ended on an incomplete DmfA (two workers without a national number) is no
    green "Done" on the queue: "Done — 2 need data" in the warning colour, with a link to the
    declaration that names them. A complete one is a green "Done"."""
    month = next_month_start()
    for _worker in range(2):
        paid(worker_activity(entity, national_number=""), None, "employee", [2])
    quarter = dmfa.quarter_of(month)
    job = services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None)
    services.filing_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == FilingJob.State.DONE and job.declaration.status == "draft"
    client.force_login(staff_user("payroll_officer", entities=[entity]))
    page = client.get(reverse("declarations:queue")).content.decode()
    assert '<span class="badge badge-warn" data-filing-state>Done — 2 need data</span>' in page
    link = reverse("declarations:detail", args=[job.declaration.public_id])
    assert f'<a href="{link}">See what is missing</a>' in page
    assert "badge-ok" not in page.split("Filings")[1].split("</section>")[0]

    # the workers' national numbers completed, filed again: complete, a green "Done"
    from members.models import Member

    Member.objects.filter(national_number="").update(national_number="85073003328")
    again = services.filing_start(entity=entity, kind="dmfa", period=quarter, actor=None)
    services.filing_run(job_id=again.pk)
    page = client.get(reverse("declarations:queue")).content.decode()
    assert '<span class="badge badge-ok" data-filing-state>Done</span>' in page
