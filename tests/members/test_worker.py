"""The certificate is rendered by a real Celery worker after the confirmation commits."""

import time
from datetime import date

import pytest

from members import services
from members.models import ShareSubscription

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_renders_the_certificate_after_commit(
    celery_worker, coop, applicant, accountant
):
    subscription = services.share_subscribe(member=applicant, actor=None, shares=1)
    services.share_payment_confirm(
        subscription=subscription, actor=accountant, paid_on=date(2026, 11, 20)
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stored = ShareSubscription.objects.get(pk=subscription.pk)
        if stored.certificate_sha256:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the worker did not render the certificate within 60 s")
    with stored.certificate.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    stored.certificate.delete(save=False)
