"""E-invoice transmissions: the PENDING → IN_FLIGHT → DELIVERED | FAILED state machine (the
sending itself is `invoicing.transmission`, run by `invoicing.tasks`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from smartcoop.core.audit import audit_log

from ..models import Invoice, Transmission


def transmission_create(*, invoice: Invoice, channel: str) -> Transmission:
    """A PENDING send of `invoice` over `channel`; idempotent per (invoice, channel)."""
    key = f"{channel}:{invoice.public_id}"
    transmission, created = Transmission.objects.get_or_create(
        idempotency_key=key,
        defaults={"entity_id": invoice.entity_id, "invoice": invoice, "channel": channel},
    )
    if created:
        from ..tasks import transmission_process

        transmission_process.enqueue(transmission.pk, entity_id=transmission.entity_id)
    return transmission


def transmission_claim(*, transmission_id: int) -> Transmission | None:
    """PENDING → IN_FLIGHT in its own short transaction; None if someone else has it."""
    with transaction.atomic():
        row = (
            Transmission.objects.select_for_update(skip_locked=True)
            .filter(pk=transmission_id, state=Transmission.State.PENDING)
            .first()
        )
        if row is None:
            return None
        if row.next_attempt_at and row.next_attempt_at > timezone.now():
            return None
        row.state = Transmission.State.IN_FLIGHT
        row.attempts += 1
        row.save(update_fields=["state", "attempts", "updated_at"])
    return row


def transmission_finish(
    *,
    transmission: Transmission,
    ok: bool,
    error: str = "",
    transient: bool = False,
    external_id: str = "",
    max_attempts: int = 5,
) -> Transmission:
    with transaction.atomic():
        row = Transmission.objects.select_for_update().get(pk=transmission.pk)
        if ok:
            row.state = Transmission.State.DELIVERED
            row.external_id = external_id
            row.last_error = ""
        elif transient and row.attempts < max_attempts:
            row.state = Transmission.State.PENDING
            row.next_attempt_at = timezone.now() + timedelta(seconds=30 * 2**row.attempts)
            row.last_error = error[:2000]
        else:
            row.state = Transmission.State.FAILED
            row.last_error = error[:2000]
        row.save()
        audit_log(
            actor=None,
            action=f"invoicing.transmission.{row.state}",
            target=row.invoice,
            data={"channel": row.channel, "attempts": row.attempts, "error": error[:200]},
        )
    return row


def transmissions_sweep(
    *, now: datetime | None = None, stuck_after: timedelta = timedelta(minutes=15)
) -> int:
    """Stuck IN_FLIGHT sends go back to PENDING; due PENDING sends are enqueued again."""
    from ..tasks import transmission_process

    now = now or timezone.now()
    with transaction.atomic():
        stuck = Transmission.objects.filter(
            state=Transmission.State.IN_FLIGHT, updated_at__lt=now - stuck_after
        ).update(state=Transmission.State.PENDING, next_attempt_at=now)
    due = list(
        Transmission.objects.filter(state=Transmission.State.PENDING)
        .exclude(next_attempt_at__gt=now)
        .values_list("pk", "entity_id")[:1000]
    )
    for pk, entity_id in due:
        transmission_process.enqueue(pk, entity_id=entity_id)
    return stuck + len(due)
