"""The demo's assemblies read as a person expects: the one with published results was held
already; the one still open meets later."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from governance.models import Assembly

pytestmark = pytest.mark.django_db


def test_the_demo_assembly_with_results_is_in_the_past_and_the_open_one_ahead():
    call_command("seed_demo")
    now = timezone.now()
    with scopes_disabled():
        closed = Assembly.objects.get(status=Assembly.Status.CLOSED)
        convened = Assembly.objects.get(status=Assembly.Status.CONVENED)
    assert closed.starts_at < now and closed.vote_closes_at <= now
    assert convened.starts_at > now
