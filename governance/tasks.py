"""Celery tasks of the governance app: convocations and the minutes PDF."""

from __future__ import annotations

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
    from .emails import member_language, send
    from .models import Voter

    sent = 0
    pending = list(
        Voter.objects.filter(assembly_id=assembly_id, convocation_sent_at__isnull=True)
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
