"""Members are told when their contract is validated and their expense claim decided: in the
account and by e-mail in their language (the one chosen when joining)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from activities import services
from smartcoop.core.models import Notification
from tests.activities.factories import ActivityFactory, credit, salary_contract
from tests.activities.test_expenses_loans_solidarity import claim_with_line
from tests.factories import staff_user

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]


@pytest.fixture
def eager_tasks():
    from smartcoop.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def activity():
    activity = ActivityFactory()
    credit(activity, "1000.00")
    return activity


def test_a_validated_contract_is_told_in_dutch(
    activity, django_capture_on_commit_callbacks, eager_tasks, client
):
    member = activity.coordinator
    member.language = "nl"
    member.save(update_fields=["language"])
    start = dt.date(2027, 3, 15)
    contract = salary_contract(activity, gross="200.00", start=start)
    adviser = staff_user("administrator")
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_validate(contract=contract, actor=adviser)
    notification = Notification.objects.get(user=member.user)
    assert notification.kind == "activities.contract_validated"
    assert notification.url == reverse("activities:contract", args=[contract.public_id])
    (sent,) = mail.outbox
    assert sent.to == [member.user.email]
    assert "Je overeenkomst als Musician vanaf 15 maart 2027" in sent.body
    assert "(bruto €\u00a0200,00) is gevalideerd." in sent.body
    # ... and in the account, in the page's language.
    client.force_login(member.user)
    page = client.get(reverse("core:notifications")).content.decode()
    assert "Your contract as Musician from 15 March 2027 (gross €200.00)" in page


def test_expense_decisions_are_told(activity, django_capture_on_commit_callbacks, eager_tasks):
    admin = staff_user("administrator")
    approved = claim_with_line(activity)
    services.expense_claim_submit(claim=approved, actor=None)
    refused = claim_with_line(activity, amount="50.00", vat="0.00")
    services.expense_claim_submit(claim=refused, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.expense_claim_approve(claim=approved, actor=admin)
        services.expense_claim_reject(claim=refused, reason="No receipt for the taxi", actor=admin)
    kinds = list(
        Notification.objects.filter(user=activity.coordinator.user)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["activities.expense_approved", "activities.expense_refused"]
    bodies = sorted(m.body for m in mail.outbox)
    assert any("“Cables” is approved: €121.00 is reimbursed." in b for b in bodies)
    assert any("“Cables” is refused: No receipt for the taxi" in b for b in bodies)


def test_opted_out_members_get_no_e_mail_but_see_it(
    activity, client, django_capture_on_commit_callbacks, eager_tasks
):
    member = activity.coordinator
    client.force_login(member.user)
    # Untick "by e-mail" for validated contracts; keep everything else.
    from smartcoop.core.notifications import kinds

    choices = {f"{k.key}:account": "on" for k in kinds()}
    choices.update(
        {f"{k.key}:email": "on" for k in kinds() if k.key != "activities.contract_validated"}
    )
    client.post(reverse("core:notification_preferences"), choices)
    contract = salary_contract(activity, gross="100.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_validate(contract=contract, actor=staff_user("administrator"))
    assert mail.outbox == []
    assert Notification.objects.get(user=member.user).in_account
    assert Decimal("100.00") == contract.gross_wage
