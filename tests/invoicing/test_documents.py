import hashlib
from datetime import date
from io import BytesIO

import pytest
from django.core import mail

from invoicing import services
from invoicing.documents.facturx import facturx_xml
from invoicing.models import Transmission
from invoicing.tasks import invoice_render_documents, transmission_process

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INVOICING_PEPPOL_OUTBOX = str(tmp_path / "outbox")


def test_pdf_and_ubl_are_rendered_and_stored_with_checksums(issued):
    invoice_render_documents(issued.pk, entity_id=issued.entity_id)
    issued.refresh_from_db()
    pdf = issued.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert issued.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert issued.ubl_sha256 == hashlib.sha256(issued.ubl.read()).hexdigest()
    from pypdf import PdfReader

    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert issued.reference in text
    assert issued.structured_communication_display in text
    assert "Visual copy" in text  # Belgian B2B in 2026: the Peppol e-invoice is the original
    assert "40.00" in text  # fixed indemnity mention


def test_issue_sends_email_and_peppol_after_commit(
    django_capture_on_commit_callbacks, draft, member, settings, tmp_path, monkeypatch
):
    from invoicing import tasks

    # Run enqueued tasks in-process (no broker round trip) to follow the whole flow.
    monkeypatch.setattr(
        tasks.SmartcoopTask,
        "enqueue",
        lambda self, *a, **kw: self(*a, **kw),
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))
    states = dict(Transmission.objects.filter(invoice=invoice).values_list("channel", "state"))
    assert states == {"email": "delivered", "peppol": "delivered"}
    (message,) = [m for m in mail.outbox if m.to == ["ap@theater.example"]]
    # The member is told (notification e-mail) that the documents are ready.
    assert [m.to for m in mail.outbox if m is not message] == [[member.user.email]]
    assert {a[0] for a in message.attachments} == {
        f"{invoice.reference}.pdf",
        f"{invoice.reference}.xml",
    }
    assert "/invoicing/pay/" in message.body
    # The client reads the amount and date as written in their language (English here).
    assert "of EUR 1,159.20, due on 01/04/2026" in message.body
    outbox = list((tmp_path / "outbox").iterdir())
    assert len(outbox) == 1 and outbox[0].read_bytes().startswith(b"<?xml")


def test_transient_failure_retries_then_fails_visibly(issued, monkeypatch):
    from invoicing import transmission as tx

    invoice_render_documents(issued.pk, entity_id=issued.entity_id)
    calls = []

    class Flaky:
        def send(self, **kw):
            calls.append(kw["idempotency_key"])
            raise tx.TransientSendError("access point timeout")

    monkeypatch.setattr(tx, "peppol_adapter", lambda: Flaky())
    row = Transmission.objects.create(
        entity=issued.entity, invoice=issued, channel="peppol", idempotency_key="peppol:x"
    )
    for _ in range(5):
        Transmission.objects.filter(pk=row.pk).update(next_attempt_at=None)
        transmission_process(row.pk, entity_id=row.entity_id)
    row.refresh_from_db()
    assert row.state == Transmission.State.FAILED and row.attempts == 5
    assert "timeout" in row.last_error and calls == ["peppol:x"] * 5


def test_sweeper_requeues_stuck_sends(issued, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from invoicing import tasks

    sent = []
    monkeypatch.setattr(tasks.SmartcoopTask, "enqueue", lambda self, *a, **kw: sent.append(a))
    row = Transmission.objects.create(
        entity=issued.entity,
        invoice=issued,
        channel="email",
        idempotency_key="email:y",
        state=Transmission.State.IN_FLIGHT,
    )
    Transmission.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert services.transmissions_sweep() >= 1
    row.refresh_from_db()
    assert row.state == Transmission.State.PENDING and (row.pk,) in sent


def test_facturx_xml_is_xsd_valid_and_embedded(issued):
    from facturx import get_xml_from_pdf, xml_check_xsd

    xml = facturx_xml(issued.snapshot)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    from invoicing.documents.facturx import facturx_pdf
    from invoicing.documents.pdf import invoice_html, render_pdf

    pdf = facturx_pdf(render_pdf(invoice_html(issued.snapshot, visual_copy=False)), issued.snapshot)
    name, embedded = get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml" and issued.reference.encode() in embedded
