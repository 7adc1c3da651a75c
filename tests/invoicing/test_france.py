"""A French entity: French VAT rates and mentions, Factur-X embedded in the PDF, valid UBL."""

from datetime import date
from decimal import Decimal

import pytest

from invoicing import services
from invoicing.documents.schematron import peppol_validator
from invoicing.documents.ubl import build_ubl
from invoicing.tasks import invoice_render_documents
from tests.invoicing.conftest import make_activity, make_member

# Code under test runs in the entity scope of the French entity.
pytestmark = pytest.mark.entity_scope("fr_entity")


def _theatre_de_lyon(fr_entity, email: str = ""):
    """A member with an Activity of the French entity, and their French company client."""
    member = make_member()
    activity = make_activity(entity=fr_entity, member=member)
    client = services.client_create(
        entity=fr_entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Théâtre de Lyon SARL",
        street="1 place Bellecour",
        postcode="69002",
        city="Lyon",
        country="FR",
        vat_number="FR40303265045",
        enterprise_number="303265045",
        email=email,
        language="fr",
    )
    return member, activity, client


def test_french_invoice_has_french_vat_mentions_and_factur_x(fr_entity, settings, tmp_path):
    from facturx import get_xml_from_pdf

    settings.MEDIA_ROOT = tmp_path
    member, activity, client = _theatre_de_lyon(fr_entity, email="compta@theatre.example")
    draft = services.invoice_draft_save(
        actor=member.user,
        activity=activity,
        client=client,
        lines=[{"description": "Régie son", "quantity": 2, "unit": "DAY", "unit_price": "500"}],
    )
    assert draft.total_vat == Decimal("200.00")  # fr.vat_rates standard 20 %
    invoice = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))
    assert invoice.reference == "SF2026-000001"
    assert "L441-10" in invoice.snapshot["mentions"]["late_payment"]
    assert invoice.snapshot["mentions"]["late_interest_rate"] == "0.1215"
    assert peppol_validator().fatal(build_ubl(invoice.snapshot)) == []
    invoice_render_documents(invoice.pk, entity_id=invoice.entity_id)
    invoice.refresh_from_db()
    name, xml = get_xml_from_pdf(invoice.pdf.read(), check_xsd=True)
    assert name == "factur-x.xml" and b"SF2026-000001" in xml
    assert b">380<" in xml

    # A deposit invoice says so in its Factur-X too (type 386), and stays XSD-valid.
    from facturx import xml_check_xsd

    from invoicing.documents.facturx import facturx_xml

    deposit_xml = facturx_xml({**invoice.snapshot, "is_deposit": True})
    assert b">386<" in deposit_xml
    assert xml_check_xsd(deposit_xml, flavor="factur-x", level="en16931")


def test_french_invoices_carry_an_iso_11649_creditor_reference_end_to_end(
    fr_entity, settings, tmp_path
):
    """France has no Belgian structured communication: the reference is "RF…" on the PDF, in
    the QR code's creditor-reference line, in Factur-X (BT-83), and a statement matches by it."""
    from io import BytesIO

    from facturx import get_xml_from_pdf
    from pypdf import PdfReader
    from stdnum import iso11649

    from smartcoop.core.roles import Role
    from tests.factories import staff_user
    from tests.invoicing.test_bank_and_reminders import camt

    settings.MEDIA_ROOT = tmp_path
    member, activity, client = _theatre_de_lyon(fr_entity)
    draft = services.invoice_draft_save(
        actor=member.user,
        activity=activity,
        client=client,
        lines=[{"description": "Régie son", "quantity": 1, "unit": "DAY", "unit_price": "500"}],
    )
    invoice = services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))
    reference = invoice.structured_communication
    assert reference.startswith("RF") and iso11649.is_valid(reference)
    invoice_render_documents(invoice.pk, entity_id=invoice.entity_id)
    invoice.refresh_from_db()
    pdf = invoice.pdf.read()
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "Référence de paiement" in text and iso11649.format(reference) in text
    assert "Numéro SIREN: 303265045" in text  # the pack's name, not the Belgian one
    assert "+++" not in text
    _name, xml = get_xml_from_pdf(pdf, check_xsd=True)
    assert f">{reference}<".encode() in xml

    accountant = staff_user(Role.ACCOUNTANT, entities=[fr_entity])
    result = services.bank_statement_import(
        entity=fr_entity,
        actor=accountant,
        file_name="releve.xml",
        content=camt([("FR-1", str(invoice.total_incl_vat), "CRDT", reference)]),
    )
    assert result.matched == 1
    invoice.refresh_from_db()
    assert invoice.status == invoice.Status.PAID


def test_a_payment_term_beyond_the_french_maximum_names_the_french_rule(fr_entity):
    from smartcoop.core.errors import ValidationFailed

    member, activity, client = _theatre_de_lyon(fr_entity)
    with pytest.raises(ValidationFailed) as refused:
        services.invoice_draft_save(
            actor=member.user,
            activity=activity,
            client=client,
            lines=[{"description": "Régie", "quantity": 1, "unit": "DAY", "unit_price": "500"}],
            payment_days=75,
        )
    assert refused.value.field == "payment_days"
    assert "at most 60 days (Code de commerce art. L441-10 II)" in refused.value.message
