"""The EPC QR code of an invoice PDF, read back with zbar as a banking app would: the text is the
expected payload, and its bytes are UTF-8 as its third line ("1") declares — also for a name with
an accent, which segno would otherwise write in Latin-1."""

from datetime import date

import pytest

from invoicing import services
from invoicing.tasks import invoice_render_documents
from tests.invoicing.conftest import LINES
from tests.qr import pdf_qr_bytes

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


@pytest.fixture
def accented_entity(be_entity):
    be_entity.name = "Productions Associées"
    be_entity.save()
    return be_entity


def test_the_pdf_qr_code_reads_back_as_the_utf8_payload(
    accented_entity, member, activity, be_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    invoice = services.invoice_issue(
        invoice=services.invoice_draft_save(
            actor=member.user, activity=activity, client=be_client, lines=LINES
        ),
        issued_by=member.user,
        on=date(2026, 3, 2),
    )
    invoice_render_documents(invoice.pk, entity_id=invoice.entity_id)
    invoice.refresh_from_db()
    expected = "\n".join(
        [
            "BCD",
            "002",
            "1",  # UTF-8
            "SCT",
            "GKCCBEBB",
            "Productions Associées",
            "BE68539007547034",
            f"EUR{invoice.total_incl_vat}",
            "",
            "",
            invoice.structured_communication_display,
        ]
    )
    with invoice.pdf.open("rb") as pdf:
        read = pdf_qr_bytes(pdf.read(), tmp_path)
    assert read == expected.encode("utf-8")
    assert "Associ\xe9es".encode("latin-1") not in read
