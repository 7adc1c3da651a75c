"""Convocations and minutes are produced by a real Celery worker after the transaction commits."""

import time

import pytest

from governance import services
from governance.models import Assembly, Voter
from tests.governance.conftest import during_vote, holder, open_assembly

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait(condition, what: str):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"the worker did not {what} within 60 s")


def test_a_real_worker_sends_convocations_and_renders_the_minutes(
    celery_worker, coop, statutes, clerk
):
    holder(coop, language="nl")
    holder(coop, language="fr")
    assembly = open_assembly(coop, clerk=clerk)
    _wait(
        lambda: not Voter.objects.filter(assembly=assembly, convocation_sent_at=None).exists(),
        "send the convocations",
    )
    services.assembly_close(actor=clerk, assembly=assembly, now=during_vote(assembly))
    _wait(lambda: Assembly.objects.get(pk=assembly.pk).minutes_sha256, "render the minutes")
    stored = Assembly.objects.get(pk=assembly.pk)
    with stored.minutes_pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    stored.minutes_pdf.delete(save=False)
