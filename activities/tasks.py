"""Periodic jobs of Activities. Thin: they find the rows, lock each one with skip_locked,
re-check it and call a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from smartcoop.core.tasks import SmartcoopTask, in_each_entity

from . import services
from .models import Loan


@shared_task(
    base=SmartcoopTask,
    name="activities.tasks.collect_loan_instalments",
    without_entity="beat sweep over every entity, one scope per entity",
)
def collect_loan_instalments(today: str | None = None) -> int:
    """Debit every loan instalment that is due (monthly, run daily by beat so a missed day is
    caught up). Each loan is locked with SKIP LOCKED, so two workers never collect the same
    instalment; a loan several months behind is caught up month by month. Returns how many
    instalments were collected. Running it twice collects nothing the second time."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return in_each_entity(lambda entity: _collect_loan_instalments(day))


def _collect_loan_instalments(day: dt.date) -> int:
    """The due instalments of the entity whose scope is open."""
    collected = 0
    due_ids = list(
        Loan.objects.filter(status=Loan.Status.DISBURSED, next_due_on__lte=day).values_list(
            "pk", flat=True
        )
    )
    for loan_id in due_ids:
        while True:
            with transaction.atomic():
                loan = (
                    Loan.objects.select_for_update(skip_locked=True)
                    .filter(pk=loan_id, status=Loan.Status.DISBURSED, next_due_on__lte=day)
                    .first()
                )
                if loan is None:
                    break
                if services.loan_collect_instalment(loan=loan, today=day) is None:
                    break
                collected += 1
    return collected
