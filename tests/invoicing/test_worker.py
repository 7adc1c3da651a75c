"""One real Celery worker: issuing enqueues the PDF after commit and the worker renders it."""

import time
from datetime import date

import pytest

from invoicing import services
from invoicing.models import Invoice, Transmission
from tests.invoicing.conftest import LINES

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_issued_invoice_pdf_is_rendered_by_a_real_worker(
    celery_worker, member, activity, be_client
):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=be_client, lines=LINES
    )
    invoice = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = Invoice.objects.get(pk=invoice.pk)
        sends = set(Transmission.objects.filter(invoice=invoice).values_list("channel", "state"))
        if row.pdf_sha256 and {("email", "delivered"), ("peppol", "delivered")} <= sends:
            break
        time.sleep(0.3)
    assert len(row.pdf_sha256) == 64 and row.ubl_sha256
    assert {("email", "delivered"), ("peppol", "delivered")} <= sends
