"""Reads of the declarations app, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuthorityAnswer, Declaration, FilingJob

S = Declaration.Status
HIRING_KINDS = (Declaration.Kind.DIMONA_IN, Declaration.Kind.DPAE)


def queue_for_staff(*, entity, statuses=None) -> QuerySet[Declaration]:
    """The entity's declarations, soonest deadline first (none last)."""
    rows = Declaration.objects.filter(entity=entity)
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows.select_related("contract__member", "corrects").order_by("due_at", "id")


def late_count(*, entity) -> int:
    """Declarations past their deadline and not yet filed (draft, ready or rejected)."""
    return Declaration.objects.filter(
        entity=entity, status__in=(S.DRAFT, S.READY, S.REJECTED), due_at__lt=timezone.now()
    ).count()


def unanswered_count(*, entity) -> int:
    """Declarations sent by the web service that the poll sweep stopped asking: no answer came
    within the settings' age limit (SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS)."""
    return Declaration.objects.filter(
        entity=entity, status=S.SENT, unanswered_at__isnull=False
    ).count()


def due_before(*, entity, before) -> int:
    """Open declarations (not yet filed) whose deadline comes before `before`, late ones included."""
    return Declaration.objects.filter(
        entity=entity, status__in=(S.DRAFT, S.READY, S.REJECTED), due_at__lt=before
    ).count()


def declaration_for_staff(*, entity, public_id) -> Declaration:
    return Declaration.objects.select_related("contract__member", "corrects").get(
        entity=entity, public_id=public_id
    )


def answers_for_staff(*, entity) -> QuerySet[AuthorityAnswer]:
    return AuthorityAnswer.objects.filter(entity=entity)


def hiring_declaration(contract) -> Declaration | None:
    """The contract's latest Dimona IN or DPAE (the one that counts: not corrected, first
    quarter first for a student)."""
    return (
        Declaration.objects.filter(
            contract=contract, kind__in=HIRING_KINDS, corrected_by__isnull=True
        )
        .order_by("period_start", "-id")
        .first()
    )


def pending_update(contract) -> Declaration | None:
    """The contract's Dimona UPDATE not answered yet (its dates changed after the IN was
    accepted), if any."""
    return (
        Declaration.objects.filter(
            contract=contract,
            kind=Declaration.Kind.DIMONA_UPDATE,
            status__in=(S.DRAFT, S.READY, S.SENT, S.REJECTED),
            corrected_by__isnull=True,
        )
        .order_by("-id")
        .first()
    )


def start_passed_undeclared(contract, declaration: Declaration | None) -> bool:
    """The contract has started (or starts now) without an accepted declaration: flagged."""
    from .services import due_at

    if declaration is None or declaration.status in (S.ACCEPTED, S.WITHDRAWN):
        return False
    return due_at(declaration.kind, contract) <= timezone.now()


def filing_jobs_for_staff(*, entity) -> QuerySet[FilingJob]:
    return FilingJob.objects.filter(entity=entity).select_related("declaration", "requested_by")


def filing_job_for_staff(*, entity, public_id) -> FilingJob:
    return filing_jobs_for_staff(entity=entity).get(public_id=public_id)
