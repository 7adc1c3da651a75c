"""Helpers shared by the members service modules."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ..models import Member

# Member numbers and payment references are not reset each year: one series, year 0.
MEMBER_SERIES = "MEMBER"
SHARE_PAYMENT_SERIES = "SHAREPAY"
NO_YEAR = 0
# Structured communications of share payments start with 8 (invoices use other prefixes).
SHARE_REFERENCE_BASE = 8_000_000_000


def _today() -> date:
    return timezone.localdate()


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).get(pk=member.pk)


def _advance(member: Member, reached: str) -> None:
    order = [s.value for s in Member.OnboardingStep]
    if order.index(member.onboarding_step) <= order.index(reached):
        member.onboarding_step = order[min(order.index(reached) + 1, len(order) - 1)]
