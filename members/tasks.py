"""Celery tasks of the members app: thin, taking ids, re-checking state through services."""

from __future__ import annotations

from celery import shared_task

from smartcoop.core.tasks import SmartcoopTask

from . import emails, services
from .models import Appointment, InfoSessionBooking, Member, ShareSubscription


@shared_task(base=SmartcoopTask, name="members.render_share_certificate")
def render_share_certificate(subscription_id: int, *, entity_id: int) -> bool:
    """Render, store and announce the certificate of a paid subscription (idempotent). The
    subscription must be one of `entity_id` (the cooperative that holds the shares)."""
    if not ShareSubscription.objects.filter(pk=subscription_id, entity_id=entity_id).exists():
        return False
    return services.share_certificate_generate(subscription_id=subscription_id) is not None


# Members, information sessions and appointments are shared by every entity (no entity-owned
# row): these tasks run without an entity, and with no scope open at all.
SHARED_ROWS = "members, information sessions and appointments belong to no entity"


@shared_task(
    base=SmartcoopTask,
    name="members.send_session_reminders",
    ignore_result=True,
    without_entity=SHARED_ROWS,
)
def send_session_reminders() -> int:
    """Beat, every hour: reminders of tomorrow's information sessions (each sent once)."""
    return services.info_session_send_reminders()


@shared_task(
    base=SmartcoopTask,
    name="members.send_booking_confirmation",
    ignore_result=True,
    without_entity=SHARED_ROWS,
)
def send_booking_confirmation(booking_id: int) -> None:
    booking = (
        InfoSessionBooking.objects.select_related("session", "session__office", "member")
        .filter(pk=booking_id, status=InfoSessionBooking.Status.BOOKED)
        .first()
    )
    if booking is None:
        return
    emails.send(
        to=booking.member.email,
        template="session_booked",
        context={"booking": booking, "session": booking.session},
        language=booking.session.language,
    )


@shared_task(
    base=SmartcoopTask,
    name="members.send_appointment_email",
    ignore_result=True,
    without_entity=SHARED_ROWS,
)
def send_appointment_email(appointment_id: int, event: str, member_id: int | None = None) -> None:
    """Tell the member and the adviser that an appointment was booked or cancelled."""
    appointment = (
        Appointment.objects.select_related("adviser", "office", "member")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return
    member = appointment.member or (
        Member.objects.filter(pk=member_id).first() if member_id is not None else None
    )
    if member is None:
        return
    context = {"appointment": appointment, "member": member, "event": event}
    emails.send(
        to=member.email,
        template=f"appointment_{event}",
        context=context,
        language=emails.member_language(member),
    )
    emails.send(
        to=appointment.adviser.email,
        template=f"appointment_{event}",
        context={**context, "for_adviser": True},
        language=appointment.adviser.preferred_language,
    )
