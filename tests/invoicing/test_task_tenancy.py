"""Tasks run in the scope of the entity they are sent for: given a row of another entity they do
nothing to it, and sent without an entity they fail visibly."""

from __future__ import annotations

import inspect
from datetime import date

import pytest
from django.core import mail

from invoicing import services, tasks
from invoicing.models import Reminder, Transmission
from smartcoop.core.models import TaskFailure
from smartcoop.core.tasks import SmartcoopTask

pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_task_sent_without_its_entity_fails_into_the_health_page(issued):
    tasks.invoice_render_documents.apply(args=(issued.pk,))
    failure = TaskFailure.objects.get(task_name="invoicing.render_documents")
    assert "sent without its entity" in failure.error
    issued.refresh_from_db()
    assert not issued.pdf


def test_rendering_an_invoice_of_another_entity_does_nothing(issued, other_entity):
    tasks.invoice_render_documents(issued.pk, send=True, entity_id=other_entity.pk)
    issued.refresh_from_db()
    assert not issued.pdf and not issued.ubl
    assert not Transmission.objects.exists()
    tasks.invoice_render_documents(issued.pk, entity_id=issued.entity_id)  # its own: rendered
    issued.refresh_from_db()
    assert issued.pdf


def test_a_transmission_of_another_entity_is_not_claimed_or_sent(issued, other_entity):
    row = services.transmission_create(invoice=issued, channel=Transmission.Channel.EMAIL)
    tasks.transmission_process(row.pk, entity_id=other_entity.pk)
    row.refresh_from_db()
    assert row.state == Transmission.State.PENDING and row.attempts == 0
    assert mail.outbox == []


def test_a_reminder_of_another_entity_is_neither_rendered_nor_sent(
    member, activity, be_client, other_entity
):
    from tests.invoicing.conftest import issue_overdue

    invoice = issue_overdue(member, activity, be_client, 40, on=date(2026, 6, 1))
    assert services.reminders_run(on=date(2026, 6, 1)) == 1
    reminder = Reminder.objects.get(invoice=invoice)
    tasks.reminder_send(reminder.pk, entity_id=other_entity.pk)
    reminder.refresh_from_db()
    assert not reminder.letter and reminder.emailed_at is None
    assert mail.outbox == []


def test_a_client_message_of_another_entity_notifies_nobody(issued, other_entity):
    item = services.client_message_create(
        invoice=issued, name="A. Payable", email="ap@example.org", message="?", is_dispute=False
    )
    tasks.client_message_notify(item.pk, entity_id=other_entity.pk)
    assert mail.outbox == []
    tasks.client_message_notify(item.pk, entity_id=item.entity_id)
    assert len(mail.outbox) == 1


def test_every_task_takes_its_entity_or_says_why_it_needs_none():
    from smartcoop.celery import app

    app.loader.import_default_modules()
    ours = [
        t
        for t in app.tasks.values()
        if isinstance(t, SmartcoopTask) and not t.name.startswith("tests.")
    ]
    assert len(ours) >= 10
    for task in ours:
        if task.without_entity:
            continue
        parameter = inspect.signature(task.run).parameters.get("entity_id")
        assert parameter is not None and parameter.kind == parameter.KEYWORD_ONLY, task.name
