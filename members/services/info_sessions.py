"""Information sessions: creation, booking, attendance, reminders."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import Office, User

from .. import emails
from ..models import InfoSession, InfoSessionBooking, Member

logger = logging.getLogger(__name__)


def info_session_create(
    *,
    actor: User | None,
    starts_at: datetime,
    language: str,
    mode: str,
    capacity: int,
    duration_minutes: int = 90,
    office: Office | None = None,
    online_url: str = "",
) -> InfoSession:
    if starts_at <= timezone.now():
        raise ValidationFailed(_("A session must start in the future."), field="starts_at")
    if capacity < 1:
        raise ValidationFailed(_("The capacity must be at least 1."), field="capacity")
    if mode == InfoSession.Mode.OFFICE and office is None:
        raise ValidationFailed(_("Choose the office of the session."), field="office")
    if mode == InfoSession.Mode.ONLINE and not online_url:
        raise ValidationFailed(_("Give the link of the online session."), field="online_url")
    with transaction.atomic():
        session = InfoSession.objects.create(
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            language=language,
            mode=mode,
            office=office if mode == InfoSession.Mode.OFFICE else None,
            online_url=online_url if mode == InfoSession.Mode.ONLINE else "",
            capacity=capacity,
            created_by=actor,
        )
        audit_log(
            actor=actor,
            action="members.info_session.created",
            target=session,
            data={"starts_at": starts_at, "capacity": capacity, "mode": mode},
        )
    return session


def info_session_book(
    *, session: InfoSession, member: Member, actor: User | None
) -> InfoSessionBooking:
    """Book a seat. Locks the session row first, so two people can never take the last seat."""
    from ..tasks import send_booking_confirmation

    with transaction.atomic():
        session = InfoSession.objects.select_for_update().get(pk=session.pk)
        if session.cancelled_at is not None or session.starts_at <= timezone.now():
            raise Conflict(_("This session can no longer be booked."), code="session_closed")
        booked = session.bookings.filter(status=InfoSessionBooking.Status.BOOKED)
        if booked.filter(member=member).exists():
            raise Conflict(_("You have already booked this session."), code="already_booked")
        if booked.count() >= session.capacity:
            raise Conflict(
                _("This session is full. Please choose another date."), code="session_full"
            )
        booking = InfoSessionBooking.objects.create(session=session, member=member)
        audit_log(
            actor=actor,
            action="members.info_session.booked",
            target=booking,
            data={"session": str(session.public_id), "member": str(member.public_id)},
        )
        send_booking_confirmation.enqueue(booking.pk)
    return booking


def info_session_booking_cancel(
    *, booking: InfoSessionBooking, actor: User | None
) -> InfoSessionBooking:
    with transaction.atomic():
        booking = InfoSessionBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != InfoSessionBooking.Status.BOOKED:
            raise Conflict(_("This booking is already cancelled."))
        booking.status = InfoSessionBooking.Status.CANCELLED
        booking.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="members.info_session.booking_cancelled", target=booking)
    return booking


def info_session_record_attendance(
    *, booking: InfoSessionBooking, actor: User | None, attended: bool
) -> InfoSessionBooking:
    with transaction.atomic():
        booking = InfoSessionBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != InfoSessionBooking.Status.BOOKED:
            raise Conflict(_("This booking was cancelled."))
        booking.attended = attended
        booking.save(update_fields=["attended", "updated_at"])
        audit_log(
            actor=actor,
            action="members.info_session.attendance",
            target=booking,
            data={"attended": attended},
        )
    return booking


def info_session_send_reminders(*, now: datetime | None = None) -> int:
    """E-mail everyone booked on a session that takes place tomorrow (deployment time zone).

    Safe to run twice or in parallel: each booking is locked with SKIP LOCKED, its flag is
    re-checked and set in a short transaction, and the e-mail is sent after the commit. If
    sending fails, the flag is cleared again so the next run retries. Returns the number sent."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone)
    end = start + timedelta(days=1)
    due = InfoSessionBooking.objects.filter(
        status=InfoSessionBooking.Status.BOOKED,
        reminder_sent_at__isnull=True,
        session__cancelled_at__isnull=True,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    )
    sent = 0
    for booking_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            booking = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("session", "session__office", "member")
                .filter(pk=booking_id)
                .first()
            )
            if booking is None:  # taken by a concurrent run, or already sent
                continue
            booking.reminder_sent_at = timezone.now()
            booking.save(update_fields=["reminder_sent_at", "updated_at"])
        try:
            emails.send(
                to=booking.member.email,
                template="session_reminder",
                context={"booking": booking, "session": booking.session},
                language=booking.session.language,
            )
        except Exception:
            # Whatever the mail backend raises: log it, give the flag back so the next run
            # retries this booking, and go on with the others.
            logger.exception("reminder of booking %s could not be sent", booking.public_id)
            InfoSessionBooking.objects.filter(pk=booking.pk).update(reminder_sent_at=None)
            continue
        sent += 1
    return sent
