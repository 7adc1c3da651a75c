"""Appointments with an adviser: slots, booking, cancelling, notes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, NotFound, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.roles import Permission, Role, has_permission

from ..models import Appointment, Member


def appointment_slot_create(
    *,
    adviser: User,
    actor: User | None,
    starts_at: datetime,
    duration_minutes: int = 45,
    location: str = "",
) -> Appointment:
    if adviser.role != Role.ADVISER or adviser.office_id is None:
        raise ValidationFailed(_("Only an adviser of an office offers appointments."))
    if starts_at <= timezone.now():
        raise ValidationFailed(_("A slot must be in the future."), field="starts_at")
    with transaction.atomic():
        if Appointment.objects.filter(adviser=adviser, starts_at=starts_at).exclude(
            status=Appointment.Status.CANCELLED
        ):
            raise Conflict(_("You already offer a slot at that time."), field="starts_at")
        slot = Appointment.objects.create(
            adviser=adviser,
            office_id=adviser.office_id,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            location=location,
        )
        audit_log(
            actor=actor,
            action="members.appointment.slot_created",
            target=slot,
            data={"starts_at": starts_at},
        )
    return slot


def appointment_book(
    *, appointment: Appointment, member: Member, actor: User | None, topic: str = ""
) -> Appointment:
    """A member takes an open slot of their office. Locks the slot row."""
    from ..tasks import send_appointment_email

    with transaction.atomic():
        slot = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if slot.office_id != member.office_id:
            raise NotFound(_("This slot does not exist."))
        if slot.status != Appointment.Status.OPEN or slot.starts_at <= timezone.now():
            raise Conflict(_("This slot has just been taken. Please choose another one."))
        slot.member = member
        slot.topic = topic.strip()[:200]
        slot.status = Appointment.Status.BOOKED
        slot.booked_at = timezone.now()
        slot.save(update_fields=["member", "topic", "status", "booked_at", "updated_at"])
        audit_log(
            actor=actor,
            action="members.appointment.booked",
            target=slot,
            data={"member": str(member.public_id)},
        )
        send_appointment_email.enqueue(slot.pk, "booked")
    return slot


def appointment_cancel(*, appointment: Appointment, actor: User | None) -> Appointment:
    """A member gives the slot back (it opens again); staff withdraw it (cancelled)."""
    from ..tasks import send_appointment_email

    with transaction.atomic():
        slot = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if slot.status == Appointment.Status.CANCELLED:
            raise Conflict(_("This appointment is already cancelled."))
        by_staff = has_permission(actor, Permission.BACKOFFICE_ACCESS)
        member_id = slot.member_id
        if by_staff:
            slot.status = Appointment.Status.CANCELLED
        else:
            slot.status, slot.member, slot.topic, slot.booked_at = (
                Appointment.Status.OPEN,
                None,
                "",
                None,
            )
        slot.save()
        audit_log(
            actor=actor,
            action="members.appointment.cancelled",
            target=slot,
            data={"by_staff": by_staff},
        )
        if member_id:
            send_appointment_email.enqueue(slot.pk, "cancelled", member_id)
    return slot


def appointment_save_notes(
    *, appointment: Appointment, actor: User | None, notes: str
) -> Appointment:
    with transaction.atomic():
        slot = Appointment.objects.select_for_update().get(pk=appointment.pk)
        slot.staff_notes = notes
        slot.save(update_fields=["staff_notes", "updated_at"])
        audit_log(actor=actor, action="members.appointment.notes_saved", target=slot)
    return slot
