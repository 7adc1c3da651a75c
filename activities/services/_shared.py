"""Helpers shared by the activities service modules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from smartcoop.core.money import format_money

from ..models import Activity, LedgerEntry

K = LedgerEntry.Kind
ZERO = Decimal("0.00")


def _today() -> dt.date:
    return timezone.localdate()


def _money(amount: Decimal) -> str:
    return format_money(amount)


def _lock_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)


def _source_of(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.public_id)
