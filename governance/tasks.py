"""Celery tasks of the governance app: convocations and the minutes PDF."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from smartcoop.core.tasks import SmartcoopTask

SHARED_ROWS = (
    "assemblies, voters' lists and ballots are plain rows naming their entity, like the register "
    "of members (no entity scope)"
)


@shared_task(
    base=SmartcoopTask,
    name="governance.send_convocations",
    ignore_result=True,
    without_entity=SHARED_ROWS,
)
def send_convocations(assembly_id: int) -> int:
    """E-mail the convocation to every voter not yet convened, each in their language. Each
    voter's row is locked and flagged in its own transaction, so a retry never sends twice."""
    from .emails import member_language, send, wants_email
    from .models import Voter

    sent = 0
    pending = list(
        Voter.objects.filter(assembly_id=assembly_id, convocation_sent_at__isnull=True)
        # A convocation to a vote already closed says nothing useful (and the closed ballot
        # box refuses the flag): the demo closes one assembly before the worker starts.
        .exclude(assembly__status="closed")
        .order_by("id")
        .values_list("id", flat=True)
    )
    for voter_id in pending:
        with transaction.atomic():
            voter = (
                Voter.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("member__user", "assembly")
                .filter(pk=voter_id, convocation_sent_at__isnull=True)
                .order_by()
                .first()
            )
            if voter is None:
                continue
            voter.convocation_sent_at = timezone.now()
            voter.save(update_fields=["convocation_sent_at", "updated_at"])
            if not wants_email(voter, "governance.convocation"):
                continue  # the assembly is in their account; they chose no e-mail
            send(
                to=voter.member.email,
                template="convocation",
                context={
                    "assembly": voter.assembly,
                    "voter": voter,
                    "resolutions": list(voter.assembly.resolutions.order_by("position")),
                },
                language=member_language(voter.member),
            )
            sent += 1
    return sent


@shared_task(base=SmartcoopTask, name="governance.render_minutes", without_entity=SHARED_ROWS)
def render_minutes(assembly_id: int) -> str:
    from . import documents
    from .models import Assembly

    assembly = Assembly.objects.get(pk=assembly_id)
    content = documents.minutes_pdf(assembly)
    from smartcoop.core.pdf import checksum

    assembly.minutes_pdf.save(f"minutes-{assembly.public_id}.pdf", ContentFile(content), save=False)
    assembly.minutes_sha256 = checksum(content)
    assembly.save(update_fields=["minutes_pdf", "minutes_sha256", "updated_at"])
    return assembly.minutes_sha256


REMINDER_BEFORE_CLOSE = timedelta(hours=24)


@shared_task(
    base=SmartcoopTask,
    name="governance.send_vote_reminders",
    ignore_result=True,
    without_entity=SHARED_ROWS,
)
def send_vote_reminders() -> int:
    """Beat, hourly: remind the voters who have not voted on every resolution (themselves or
    through a proxy holder) that the vote closes within a day. Once per voter."""
    from django.db.models import Count, Exists, OuterRef

    from .emails import member_language, send, wants_email
    from .models import Assembly, Proxy, Voter

    now = timezone.now()
    assemblies = Assembly.objects.filter(
        status=Assembly.Status.CONVENED,
        vote_opens_at__lte=now,
        vote_closes_at__gt=now,
        vote_closes_at__lte=now + REMINDER_BEFORE_CLOSE,
    ).annotate(agenda=Count("resolutions"))
    sent = 0
    for assembly in assemblies:
        pending = (
            Voter.objects.filter(assembly=assembly, reminder_sent_at__isnull=True)
            .annotate(votes=Count("vote_records"))
            .filter(votes__lt=assembly.agenda)
            .filter(~Exists(Proxy.objects.filter(grantor=OuterRef("pk"), revoked_at__isnull=True)))
            .order_by("id")
            .values_list("id", flat=True)
        )
        for voter_id in list(pending):
            with transaction.atomic():
                voter = (
                    Voter.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("member__user")
                    .filter(pk=voter_id, reminder_sent_at__isnull=True)
                    .order_by()
                    .first()
                )
                if voter is None:
                    continue
                voter.reminder_sent_at = now
                voter.save(update_fields=["reminder_sent_at", "updated_at"])
                if not wants_email(voter, "governance.vote_reminder"):
                    continue
                send(
                    to=voter.member.email,
                    template="vote_reminder",
                    context={"assembly": assembly, "voter": voter},
                    language=member_language(voter.member),
                )
                sent += 1
    return sent
