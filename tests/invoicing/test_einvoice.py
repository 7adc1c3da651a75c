"""E-invoices against the official Peppol BIS Billing 3.0 rules (CEN EN 16931 + Peppol
Schematron in invoicing/documents/rules/peppol), run as XSLT 3 by saxonche."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from invoicing import services
from invoicing.documents.schematron import PEPPOL_DIR, peppol_validator
from invoicing.documents.ubl import build_ubl
from tests.invoicing.conftest import LINES

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")

EXAMPLES = sorted((PEPPOL_DIR / "examples").glob("*.xml"))


@pytest.fixture(scope="module")
def validator():
    return peppol_validator()


def _fatal(validator, xml: bytes) -> list[str]:
    return [f"{f.rule_id}: {f.message}" for f in validator.fatal(xml)]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_official_examples_pass(validator, example):
    assert _fatal(validator, example.read_bytes()) == []


def test_broken_invoice_fails_with_the_rule_id(validator):
    text = (PEPPOL_DIR / "examples" / "base-example.xml").read_text()
    broken = re.sub(r"<cbc:BuyerReference>.*?</cbc:BuyerReference>", "", text)
    broken = re.sub(
        r"<cbc:ProfileID>.*?</cbc:ProfileID>", "<cbc:ProfileID>x</cbc:ProfileID>", broken
    )
    rules = {f.rule_id for f in validator.fatal(broken.encode())}
    assert {"PEPPOL-EN16931-R003", "PEPPOL-EN16931-R007"} <= rules


def _issue(member, activity, client, lines=LINES, **kw):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=lines, **kw
    )
    return services.invoice_issue(invoice=draft, issued_by=member.user, on=date(2026, 3, 2))


def test_domestic_invoice_with_discount_is_valid(validator, member, activity, be_client):
    invoice = _issue(member, activity, be_client, discount_rate=Decimal("5"))
    xml = build_ubl(invoice.snapshot)
    assert _fatal(validator, xml) == []
    assert b'schemeID="0208">0403170701<' in xml
    assert invoice.structured_communication.encode() in xml


def test_reverse_charge_invoice_is_valid(validator, member, activity, fr_client):
    xml = build_ubl(_issue(member, activity, fr_client).snapshot)
    assert _fatal(validator, xml) == []
    assert b"<cbc:ID>AE</cbc:ID>" in xml and b"VATEX-EU-AE" in xml


def test_export_invoice_is_valid(validator, member, activity, ch_client):
    xml = build_ubl(_issue(member, activity, ch_client).snapshot)
    assert _fatal(validator, xml) == []
    assert b"<cbc:ID>O</cbc:ID>" in xml


def test_exempt_invoice_is_valid(validator, member, activity, be_client):
    lines = [dict(line, vat_rate_code="exempt") for line in LINES]
    xml = build_ubl(_issue(member, activity, be_client, lines=lines).snapshot)
    assert _fatal(validator, xml) == []


def test_credit_note_is_valid(validator, member, activity, be_client):
    invoice = _issue(member, activity, be_client)
    note = services.credit_note_create(invoice=invoice, actor=member.user, reason="Cancelled")
    note = services.invoice_issue(invoice=note, issued_by=member.user, on=date(2026, 3, 3))
    xml = build_ubl(note.snapshot)
    assert xml.lstrip().startswith(b"<?xml") and b"<CreditNote" in xml
    assert _fatal(validator, xml) == []
    assert invoice.reference.encode() in xml


def test_a_tampered_total_is_caught(validator, member, activity, be_client):
    snapshot = _issue(member, activity, be_client).snapshot
    snapshot["totals"]["incl_vat"] = "1.00"
    rules = {f.rule_id for f in validator.fatal(build_ubl(snapshot))}
    assert "BR-CO-15" in rules


def test_schematron_xslt_is_cached_by_content(tmp_path, monkeypatch):
    from invoicing.documents import schematron

    monkeypatch.setenv("SMARTCOOP_SCHEMATRON_CACHE", str(tmp_path))
    first = schematron.compiled_xslt_path(Path(PEPPOL_DIR / "PEPPOL-EN16931-UBL.sch"))
    mtime = first.stat().st_mtime_ns
    again = schematron.compiled_xslt_path(Path(PEPPOL_DIR / "PEPPOL-EN16931-UBL.sch"))
    assert first == again and again.stat().st_mtime_ns == mtime
