"""Information sessions: booking, capacity, attendance and the day-before reminders."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from members import emails, services
from members.models import InfoSession, InfoSessionBooking
from smartcoop.core.errors import Conflict, ValidationFailed
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_staff_plan_a_session_and_people_book_it(
    adviser_a, applicant, eager_tasks, django_capture_on_commit_callbacks
):
    session = services.info_session_create(
        actor=adviser_a,
        starts_at=timezone.now() + timedelta(days=3),
        language="fr",
        mode=InfoSession.Mode.OFFICE,
        office=adviser_a.office,
        capacity=10,
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.info_session_book(
            session=session, member=applicant, actor=applicant.user
        )
    assert booking.status == "booked"
    assert mail.outbox[-1].to == [applicant.email]
    assert "booked" in mail.outbox[-1].subject.lower() or "réservée" in mail.outbox[-1].subject
    with pytest.raises(Conflict, match="already booked"):
        services.info_session_book(session=session, member=applicant, actor=applicant.user)


def test_invalid_sessions_are_refused(adviser_a):
    with pytest.raises(ValidationFailed, match="future"):
        services.info_session_create(
            actor=adviser_a,
            starts_at=timezone.now(),
            language="nl",
            mode="online",
            online_url="https://x.example",
            capacity=5,
        )
    with pytest.raises(ValidationFailed, match="office"):
        services.info_session_create(
            actor=adviser_a,
            language="nl",
            mode="office",
            capacity=5,
            starts_at=timezone.now() + timedelta(days=1),
        )


def test_a_full_session_refuses_the_booking_clearly_until_a_seat_is_freed(session_tomorrow):
    first, second, third = MemberFactory(), MemberFactory(), MemberFactory()
    booking = services.info_session_book(session=session_tomorrow, member=first, actor=None)
    services.info_session_book(session=session_tomorrow, member=second, actor=None)
    with pytest.raises(Conflict, match="This session is full") as exc:
        services.info_session_book(session=session_tomorrow, member=third, actor=None)
    assert exc.value.code == "session_full"
    services.info_session_booking_cancel(booking=booking, actor=None)
    services.info_session_book(session=session_tomorrow, member=third, actor=None)


def test_attendance_is_recorded(session_tomorrow, adviser_a):
    booking = services.info_session_book(
        session=session_tomorrow, member=MemberFactory(), actor=None
    )
    services.info_session_record_attendance(booking=booking, actor=adviser_a, attended=True)
    booking.refresh_from_db()
    assert booking.attended is True


def test_reminders_go_out_once_the_day_before(session_tomorrow):
    later = InfoSession.objects.create(
        starts_at=session_tomorrow.starts_at + timedelta(days=1),
        language="en",
        mode="online",
        online_url="https://x.example",
        capacity=5,
    )
    booked = MemberFactory(email="booked@example.org")
    cancelled = MemberFactory(email="cancelled@example.org")
    services.info_session_book(session=session_tomorrow, member=booked, actor=None)
    gone = services.info_session_book(session=session_tomorrow, member=cancelled, actor=None)
    services.info_session_booking_cancel(booking=gone, actor=None)
    services.info_session_book(
        session=later, member=MemberFactory(email="later@example.org"), actor=None
    )
    mail.outbox.clear()

    assert services.info_session_send_reminders() == 1
    assert services.info_session_send_reminders() == 0  # a second run sends nothing
    assert [m.to for m in mail.outbox] == [["booked@example.org"]]
    assert "tomorrow" in mail.outbox[0].subject
    assert "https://meet.example.org/x" in mail.outbox[0].body


def test_a_failed_send_is_retried_by_the_next_run(session_tomorrow, monkeypatch):
    services.info_session_book(session=session_tomorrow, member=MemberFactory(), actor=None)
    mail.outbox.clear()

    def broken(**kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(emails, "send", broken)
    assert services.info_session_send_reminders() == 0
    assert InfoSessionBooking.objects.get().reminder_sent_at is None
    monkeypatch.undo()
    assert services.info_session_send_reminders() == 1


@pytest.mark.django_db(transaction=True)
def test_a_booking_locked_by_another_run_is_skipped_not_sent_twice(session_tomorrow):
    booking = services.info_session_book(
        session=session_tomorrow, member=MemberFactory(), actor=None
    )
    mail.outbox.clear()
    locked, release = threading.Event(), threading.Event()

    def other_run():
        try:
            with transaction.atomic():
                InfoSessionBooking.objects.select_for_update().get(pk=booking.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert locked.wait(10)
    assert services.info_session_send_reminders() == 0  # skipped, not waited for
    release.set()
    thread.join()
    assert services.info_session_send_reminders() == 1
    assert len(mail.outbox) == 1


def test_the_beat_task_runs_the_sweep(session_tomorrow):
    from members.tasks import send_session_reminders

    services.info_session_book(session=session_tomorrow, member=MemberFactory(), actor=None)
    assert send_session_reminders.apply().get() == 1
    assert send_session_reminders.apply().get() == 0
