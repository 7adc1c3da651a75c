"""Asking the web service again for the answer to declarations sent and not answered yet.

The status is read once right after sending (`services.declaration_deliver`); the authority
often answers later ("not processed yet"). The beat sweep `tasks.poll_sent_declarations` runs
`sent_declarations_poll` in each entity's scope: every declaration sent by the web service whose
next check is due is asked again, on a growing wait (the first check SMARTCOOP_DECLARATION_POLL_
FIRST_SECONDS after sending, each next wait POLL_FACTOR times longer, at most POLL_MAX_SECONDS),
until the answer is applied, or POLL_GIVE_UP_HOURS after sending, when it is flagged "no answer"
(`unanswered_at`) on the staff queue and no longer asked.

Two sweeps at once (two beats, a slow run overlapping the next): each declaration is claimed in
a short transaction under its row lock, SKIP LOCKED, re-checked (still sent, still due) and its
next check moved on before the HTTP call, which runs outside any transaction; the answer is then
applied under the row lock again, only if the declaration is still sent. So a declaration is
asked by one sweep at a time and its answer applied once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smartcoop.core.audit import audit_log

from .channels import ChannelUnavailable, http_channel
from .models import Declaration

S = Declaration.Status


@dataclass(frozen=True)
class PollSchedule:
    first: dt.timedelta
    factor: float
    longest: dt.timedelta
    give_up: dt.timedelta
    batch: int

    def wait(self, polls: int) -> dt.timedelta:
        """The wait after the `polls`-th check: first * factor ** polls, at most `longest`."""
        seconds = self.first.total_seconds() * self.factor ** min(polls, 64)
        return min(dt.timedelta(seconds=seconds), self.longest)


def poll_schedule() -> PollSchedule:
    """The schedule and limits of the settings (SMARTCOOP_DECLARATION_POLL_*), read at each
    call so a deployment (or a test) changes them without touching the task."""
    return PollSchedule(
        first=dt.timedelta(seconds=settings.SMARTCOOP_DECLARATION_POLL_FIRST_SECONDS),
        factor=float(settings.SMARTCOOP_DECLARATION_POLL_FACTOR),
        longest=dt.timedelta(seconds=settings.SMARTCOOP_DECLARATION_POLL_MAX_SECONDS),
        give_up=dt.timedelta(hours=settings.SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS),
        batch=int(settings.SMARTCOOP_DECLARATION_POLL_BATCH),
    )


def first_poll_at(sent_at: dt.datetime) -> dt.datetime:
    return sent_at + poll_schedule().first


def _due(now: dt.datetime) -> Q:
    return Q(status=S.SENT, channel=Declaration.Channel.HTTP, unanswered_at__isnull=True) & (
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )


def _claim(
    pk: int, *, now: dt.datetime, schedule: PollSchedule, asking: bool = True
) -> tuple[str, Declaration | None]:
    """Lock the declaration (skipped when another sweep holds it), re-check it is sent and due,
    and move its next check on ("ask"), or flag it "no answer" once the age limit has passed
    ("unanswered", its payroll officers told); "skip" when another sweep has it or it is no
    longer due. Not `asking` (the entity no longer files by web service): only the age limit
    and the next check move, the count of checks does not."""
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due(now), pk=pk)
            .first()
        )
        if declaration is None:
            return "skip", None
        give_up_at = (declaration.sent_at or now) + schedule.give_up
        if now >= give_up_at:
            declaration.unanswered_at = now
            declaration.next_poll_at = None
            declaration.save(update_fields=["unanswered_at", "next_poll_at", "updated_at"])
            audit_log(
                actor=None,
                action="declarations.declaration.unanswered",
                target=declaration,
                data={
                    "polls": declaration.polls,
                    "sent_at": declaration.sent_at.isoformat() if declaration.sent_at else "",
                },
            )
            _tell_officers(declaration)
            return "unanswered", declaration
        if asking:
            declaration.polls += 1
        declaration.next_poll_at = min(now + schedule.wait(declaration.polls), give_up_at)
        declaration.save(update_fields=["polls", "next_poll_at", "updated_at"])
    return "ask", declaration


def _tell_officers(declaration: Declaration) -> None:
    """The entity's payroll officers hear (in the account and by e-mail, kind
    `declarations.no_answer`, each can turn it off) that the authority never answered."""
    from django.urls import reverse

    from smartcoop.core.notifications import notify

    from .services import _payroll_officers

    contract = declaration.contract
    if contract is not None:
        subject = contract.member.display_name
    else:
        subject = f"{declaration.period_start}/{declaration.period_end}"
    for officer in _payroll_officers(declaration.entity_id):
        notify(
            user=officer,
            kind="declarations.no_answer",
            params={
                "kind": str(declaration.get_kind_display()),
                "subject": subject,
                "sent": timezone.localdate(declaration.sent_at) if declaration.sent_at else "",
            },
            url=reverse("declarations:detail", args=[declaration.public_id]),
        )


def sent_declarations_poll(*, entity, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask the entity's web service for the answers due now (at most the schedule's `batch`,
    oldest check first) and apply them; flag the ones past the age limit "no answer". Runs in
    the entity's scope. When the service cannot be reached the rest wait for their next check
    (the error is kept on the declaration). Returns the count of each result ("applied",
    "pending", "unreadable", "answered", "unanswered", "unreachable")."""
    from . import services

    now = now or timezone.now()
    schedule = poll_schedule()
    counts: dict[str, int] = {}
    due = list(
        Declaration.objects.filter(_due(now), entity=entity)
        .order_by("next_poll_at", "id")
        .values_list("pk", flat=True)[: schedule.batch]
    )
    if not due:
        return counts
    setting = services.channel_setting(entity)
    channel = (
        http_channel(setting)
        if setting is not None and setting.channel == Declaration.Channel.HTTP
        else None
    )
    for pk in due:
        claim, declaration = _claim(pk, now=now, schedule=schedule, asking=channel is not None)
        if claim == "unanswered":
            counts["unanswered"] = counts.get("unanswered", 0) + 1
        if claim != "ask" or declaration is None:
            continue
        if channel is None or not declaration.authority_reference:
            continue  # the entity no longer files by web service: nothing to ask
        try:
            result = services.status_check(declaration, channel)
        except ChannelUnavailable as error:
            Declaration.objects.filter(pk=pk).update(last_error=str(error)[:500])
            counts["unreachable"] = counts.get("unreachable", 0) + 1
            break
        counts[result] = counts.get(result, 0) + 1
    return counts
