"""Notifications: written in the change's transaction, e-mailed after commit by a Celery task in
the reader's language, each kind opt-out from the preferences page."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from smartcoop.core.models import Notification
from smartcoop.core.notifications import (
    NotificationKind,
    notify,
    notify_many,
    preferences_save,
    register_kind,
    render_text,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

register_kind(
    NotificationKind(
        "tests.paid",
        "Test: something is paid",
        "You received %(amount)s.",
        money=("amount",),
        order=999,
    )
)


@pytest.fixture
def eager_tasks():
    from smartcoop.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_notify_writes_the_row_and_emails_after_commit(
    django_capture_on_commit_callbacks, eager_tasks
):
    user = UserFactory(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(user=user, kind="tests.paid", params={"amount": Decimal("1234.5")})
        assert mail.outbox == []  # nothing leaves before the commit
    notification.refresh_from_db()
    assert notification.email == Notification.Email.SENT and notification.emailed_at
    (sent,) = mail.outbox
    assert sent.to == [user.email]
    # French amounts and the French frame of the e-mail.
    assert "1\u00a0234,50\u00a0€" in sent.body
    assert "Bonjour" in sent.body
    assert reverse("core:notification_preferences") in sent.body


def test_a_rolled_back_change_notifies_no_one(django_capture_on_commit_callbacks, eager_tasks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(user=user, kind="tests.paid", params={"amount": Decimal("5")})
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(user=UserFactory(), kind="tests.nope")


def test_the_text_follows_the_readers_language():
    notification = notify(user=UserFactory(), kind="tests.paid", params={"amount": "1150.00"})
    assert render_text(notification, "en") == "You received €1,150.00."
    assert render_text(notification, "nl") == "You received €\u00a01.150,00."


def test_opting_out_of_e_mails_keeps_the_account_entry(
    client, django_capture_on_commit_callbacks, eager_tasks
):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("core:notification_preferences")).content.decode()
    assert 'name="tests.paid:email"' in page and "Test: something is paid" in page
    # The form sends the boxes left ticked: the account, not the e-mail.
    client.post(reverse("core:notification_preferences"), {"tests.paid:account": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        kept = notify(user=user, kind="tests.paid", params={"amount": "1"})
    assert kept.in_account and kept.email == Notification.Email.NOT_WANTED
    assert mail.outbox == []
    preferences_save(user=user, choices={"tests.paid": (False, False)})
    assert notify(user=user, kind="tests.paid", params={"amount": "1"}) is None
    assert Notification.objects.count() == 1


def test_many_notified_at_once_get_one_message_for_their_e_mails_each_sent_once(
    django_capture_on_commit_callbacks, eager_tasks
):
    """The members of contracts validated together: one query for their choices, one INSERT,
    and their e-mails in one broker message (not one each); each e-mail leaves once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smartcoop.core.tasks import send_notification_emails

    users = [UserFactory() for _ in range(4)]
    preferences_save(user=users[1], choices={"tests.paid": (True, False)})  # no e-mail
    inactive = UserFactory(is_active=False)
    with (
        django_capture_on_commit_callbacks(execute=True) as sent_after_commit,
        CaptureQueriesContext(connection) as queries,
    ):
        rows = notify_many(
            kind="tests.paid",
            notices=[(user, {"amount": "5"}, "") for user in [*users, inactive]],
        )
    assert len(queries) == 2 and len(sent_after_commit) == 1
    assert rows[4] is None and all(rows[:4])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users if u != users[1])
    send_notification_emails.run([row.pk for row in rows[:4]])  # run again: nothing twice
    assert len(mail.outbox) == 3


def test_a_choice_changed_before_the_task_runs_is_honoured(django_capture_on_commit_callbacks):
    from smartcoop.core.tasks import send_notification_email

    user = UserFactory()
    notification = notify(user=user, kind="tests.paid", params={"amount": "1"})
    preferences_save(user=user, choices={"tests.paid": (True, False)})
    send_notification_email.run(notification.pk)
    send_notification_email.run(notification.pk)
    notification.refresh_from_db()
    assert notification.email == Notification.Email.NOT_WANTED and mail.outbox == []


def test_the_list_shows_unread_ones_in_the_layout_then_marks_them_read(client):
    user = UserFactory()
    for amount in ("10", "20"):
        notify(user=user, kind="tests.paid", params={"amount": amount})
    other = UserFactory()
    notify(user=other, kind="tests.paid", params={"amount": "999"})
    client.force_login(user)
    home = client.get(reverse("core:member_home")).content.decode()
    assert 'class="count"' in home and ">2</span>" in home
    page = client.get(reverse("core:notifications")).content.decode()
    assert "You received €10.00." in page and "You received €20.00." in page
    assert "€999.00" not in page  # another person's
    home = client.get(reverse("core:member_home")).content.decode()
    assert 'class="count"' not in home


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_the_e_mail(celery_worker):
    user = UserFactory()
    # A kind the apps register (the worker does not import this test module).
    with transaction.atomic():
        notification = notify(
            user=user,
            kind="invoicing.documents_ready",
            params={"reference": "VP-2026-1", "client": "Theater"},
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.email == Notification.Email.SENT:
            break
        time.sleep(0.3)
    assert notification.email == Notification.Email.SENT and notification.emailed_at


def test_each_person_is_offered_only_the_kinds_their_role_can_receive(client):
    """A member chooses about contracts, clients and assemblies, not about declarations falling
    due (those reach payroll officers); a payroll officer the other way round. A choice posted
    for a kind one cannot receive is not stored."""
    from members.models import Member
    from smartcoop.core.models import NotificationPreference
    from smartcoop.core.roles import Role
    from tests.activities.factories import make_member
    from tests.factories import staff_user

    member = make_member().user
    client.force_login(member)
    page = client.get(reverse("core:notification_preferences")).content.decode()
    assert (
        "One of my contracts is validated" in page and "Convocation to a general assembly" in page
    )
    assert "A declaration of my entity is due soon" not in page
    assert 'name="declarations.deadline_near:email"' not in page
    client.post(
        reverse("core:notification_preferences"),
        {"declarations.deadline_near:account": "on", "activities.contract_validated:account": "on"},
    )
    stored = set(NotificationPreference.objects.filter(user=member).values_list("kind", flat=True))
    assert "activities.contract_validated" in stored
    assert "declarations.deadline_near" not in stored

    officer = staff_user(Role.PAYROLL_OFFICER)
    assert not Member.objects.filter(user=officer).exists()
    client.force_login(officer)
    page = client.get(reverse("core:notification_preferences")).content.decode()
    assert "A declaration of my entity is due soon" in page
    assert "A declaration sent by the web service got no answer" in page
    assert (
        "One of my contracts is validated" not in page
        and "Convocation to a general assembly" not in page
    )
