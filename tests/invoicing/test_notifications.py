"""The member who invoices is told when a client pays, when a reminder goes to a client and
when an invoice's documents are ready, in the account and by e-mail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from invoicing import services
from invoicing.tasks import invoice_render_documents
from smartcoop.core.models import Notification

from .conftest import LINES, issue_overdue, run_reminders

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("be_entity")]


def _notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_a_client_payment_is_told(member, activity, be_client, django_capture_on_commit_callbacks):
    invoice = issue_overdue(member, activity, be_client, 1, on=date(2026, 6, 1))
    with django_capture_on_commit_callbacks(execute=False):
        services.payment_record(
            invoice=invoice,
            amount=Decimal("100.00"),
            on=date(2026, 6, 1),
            source="manual",
            actor=None,
        )
    (note,) = _notes(member.user, "invoicing.client_paid")
    assert note.url == reverse("invoicing:member_invoice", args=[invoice.public_id])
    from smartcoop.core.notifications import render_text

    assert render_text(note, "en") == (
        f"Theater Antwerpen nv paid €100.00 on invoice {invoice.reference} (still due: €1,059.20)."
    )
    assert note.email == Notification.Email.PENDING


def test_a_reminder_sent_is_told(member, activity, be_client, monkeypatch):
    from invoicing import tasks

    monkeypatch.setattr(tasks.SmartcoopTask, "enqueue", lambda self, *a, **kw: self.run(*a, **kw))
    today = date(2026, 6, 1)
    invoice = issue_overdue(member, activity, be_client, 8, on=today)
    assert run_reminders(today) == 1
    (note,) = _notes(member.user, "invoicing.reminder_sent")
    told = [m for m in mail.outbox if m.to == [member.user.email]]
    assert any(
        f"A reminder for invoice {invoice.reference} was sent to Theater Antwerpen nv" in m.body
        for m in told
    )
    assert note.read_at is None


def test_documents_ready_are_told_once(member, activity, be_client):
    invoice = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        ),
        issued_by=member.user,
        on=date(2026, 6, 1),
    )
    invoice_render_documents(invoice.pk, entity_id=invoice.entity_id)
    invoice_render_documents(
        invoice.pk, entity_id=invoice.entity_id
    )  # a second run renders nothing and tells no one
    (note,) = _notes(member.user, "invoicing.documents_ready")
    assert note.params["reference"] == invoice.reference
