"""What the law asks each document to say, per country and kind, read from the rendered PDFs and
the structured XML: the register of the issuer (Belgian CSA art. 2:20, French R123-237), the
French capital and early-payment discount mentions, the reminder letters' rate on their date,
the PDF/A-3B structure of Factur-X, and the French e-invoicing rules on top of EN 16931."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from invoicing import services
from invoicing.documents.facturx import facturx_xml
from invoicing.documents.schematron import (
    facturx_en16931_validator,
    french_ctc_validator,
    peppol_validator,
)
from invoicing.documents.ubl import build_ubl
from invoicing.models import Reminder
from invoicing.tasks import invoice_documents_build
from smartcoop.core.errors import ValidationFailed
from tests.invoicing.conftest import (
    LINES,
    issue_overdue,
    make_activity,
    make_member,
    run_reminders,
)

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")

ISSUED_ON = date(2026, 3, 2)


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _issue(member, activity, client, *, lines=LINES):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=lines
    )
    return services.invoice_issue(invoice=draft, issued_by=member.user, on=ISSUED_ON)


def _credit(member, invoice):
    note = services.credit_note_create(invoice=invoice, actor=member.user, reason="Cancelled")
    return services.invoice_issue(invoice=note, issued_by=member.user, on=ISSUED_ON)


def _client(entity, member, activity, **fields):
    return services.client_create(entity=entity, actor=member.user, activity=activity, **fields)


# --- Belgium: the register of legal entities and the court of the registered office ----------


@pytest.fixture
def brussels_entity(be_entity):
    be_entity.register_court = "Brussel"
    be_entity.save()
    return be_entity


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("nl", "RPR Brussel", "RPM"), ("fr", "RPM Bruxelles", "RPR"), ("de", "RJP Brüssel", "RPM")],
)
def test_belgian_invoice_and_credit_note_name_the_register_and_court_in_the_clients_language(
    brussels_entity, member, activity, language, expected, absent
):
    client = _client(
        brussels_entity,
        member,
        activity,
        kind="company",
        name="Théâtre National",
        street="Boulevard Émile Jacqmain 111",
        postcode="1000",
        city="Bruxelles",
        country="BE",
        vat_number="BE0403170701",
        language=language,
    )
    invoice = _issue(member, activity, client)
    note = _credit(member, invoice)
    for document in (invoice, note):
        assert document.snapshot["mentions"]["register"] == expected
        text = _text(invoice_documents_build(document)[0])
        # In the issuer's block and in the footer of every page.
        assert text.count(expected) >= 2, text
        assert absent not in text


def test_a_belgian_entity_without_a_court_on_file_prints_no_half_mention(
    be_entity, member, activity, be_client
):
    invoice = _issue(member, activity, be_client)
    assert invoice.snapshot["mentions"]["register"] == ""
    assert "RLE" not in _text(invoice_documents_build(invoice)[0])


def test_a_client_statement_names_the_register_too(
    client, brussels_entity, member, activity, be_client, customer_service
):
    from django.urls import reverse

    _issue(member, activity, be_client)
    client.force_login(customer_service)
    response = client.get(reverse("invoicing:staff_client_statement", args=[be_client.public_id]))
    assert response.status_code == 200
    assert "vzw · Enterprise number (KBO/BCE)" in _text(response.content)
    assert "RLE Brussels" in _text(response.content)  # the staff member's language: English


def test_a_client_statement_is_written_in_the_clients_language_with_its_dates_and_amounts(
    client, brussels_entity, member, activity, be_client, customer_service
):
    """It printed ISO dates, bare amounts ("1159.20", a total of "0") and the staff member's
    language, where the invoices and reminders it lists speak the client's."""
    from django.urls import reverse

    be_client.language = "nl"
    be_client.save(update_fields=["language"])
    invoice = _issue(member, activity, be_client)
    client.force_login(customer_service)  # works in English
    text = _text(
        client.get(reverse("invoicing:staff_client_statement", args=[be_client.public_id])).content
    )
    assert "Rekeningoverzicht" in text and "Totaal verschuldigd" in text
    assert f"{invoice.reference} 2-3-2026" in text  # Dutch short dates
    assert "€ 1.159,20" in text and "1159.20" not in text


# --- France: RCS, capital, early-payment discount --------------------------------------------


@pytest.fixture
def paris_entity(fr_entity):
    fr_entity.register_court = "Paris"
    fr_entity.variable_capital = True
    fr_entity.save()
    return fr_entity


def _french_company(entity, member, activity):
    return _client(
        entity,
        member,
        activity,
        kind="company",
        name="Théâtre de Lyon SARL",
        street="1 place Bellecour",
        postcode="69002",
        city="Lyon",
        country="FR",
        vat_number="FR40303265045",
        enterprise_number="303265045",
        email="compta@theatre.example",
        language="fr",
    )


FR_LINES = [{"description": "Régie son", "quantity": 2, "unit": "DAY", "unit_price": "500"}]


@pytest.mark.entity_scope("paris_entity")
def test_french_invoice_states_rcs_variable_capital_and_no_early_payment_discount(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    invoice = _issue(
        member, activity, _french_company(paris_entity, member, activity), lines=FR_LINES
    )
    text = _text(invoice_documents_build(invoice)[0])
    assert "RCS Paris" in text
    assert "SCIC SA à capital variable" in text
    assert "Pas d'escompte pour paiement anticipé." in text
    assert "12,15 %" in text and "L441-10" in text  # the penalty rate of the issue date

    # Its credit note names the issuer the same way, and carries no payment clauses.
    text = _text(invoice_documents_build(_credit(member, invoice))[0])
    assert "RCS Paris" in text and "SCIC SA à capital variable" in text
    assert "escompte" not in text and "L441-10" not in text

    # A company with a fixed capital states the amount instead.
    paris_entity.variable_capital = False
    paris_entity.share_capital = Decimal("37000.00")
    paris_entity.save()
    again = _issue(member, activity, invoice.client, lines=FR_LINES)
    text = _text(invoice_documents_build(again)[0])
    assert "SCIC SA au capital de 37 000,00 €" in text and "capital variable" not in text


@pytest.mark.entity_scope("paris_entity")
def test_french_consumer_invoice_has_rcs_and_capital_but_no_b2b_discount_clause(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    person = _client(
        paris_entity,
        member,
        activity,
        kind="person",
        name="Camille Martin",
        street="3 rue Victor Hugo",
        postcode="69002",
        city="Lyon",
        country="FR",
        language="fr",
    )
    invoice = _issue(member, activity, person, lines=FR_LINES)
    text = _text(invoice_documents_build(invoice)[0])
    assert "RCS Paris" in text and "à capital variable" in text
    assert "escompte" not in text  # L441-9 is a clause between professionals


# --- Factur-X: a real PDF/A-3B, the credit note's preceding invoice, the French rules ----------


@pytest.mark.entity_scope("paris_entity")
def test_factur_x_is_a_pdf_a_3b_with_output_intent_trailer_id_xmp_and_the_xml(paris_entity):
    """veraPDF is not available here: the test checks the structure PDF/A-3B and Factur-X ask
    for, object by object."""
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    invoice = _issue(
        member, activity, _french_company(paris_entity, member, activity), lines=FR_LINES
    )
    pdf = invoice_documents_build(invoice)[0]
    reader = PdfReader(BytesIO(pdf))
    trailer_id = reader.trailer["/ID"]
    assert len(trailer_id) == 2 and all(len(part.original_bytes) >= 16 for part in trailer_id)
    root = reader.trailer["/Root"]
    (intent,) = [i.get_object() for i in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC (RGB) profile
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    (spec,) = [f.get_object() for f in root["/AF"]]
    assert spec["/F"] == "factur-x.xml" and spec["/AFRelationship"] in ("/Data", "/Alternative")
    xml = spec["/EF"]["/F"].get_object().get_data()
    assert b"<ram:ID>" + invoice.reference.encode() in xml
    # The PDF is still a readable invoice (fonts embedded, text extractable).
    assert invoice.reference in reader.pages[0].extract_text()


@pytest.mark.entity_scope("paris_entity")
def test_factur_x_credit_note_names_the_invoice_it_corrects(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    invoice = _issue(
        member, activity, _french_company(paris_entity, member, activity), lines=FR_LINES
    )
    note = _credit(member, invoice)
    xml = facturx_xml(note.snapshot)
    reference = re.search(
        rb"<ram:InvoiceReferencedDocument>\s*<ram:IssuerAssignedID>([^<]+)</ram:IssuerAssignedID>"
        rb"\s*<ram:FormattedIssueDateTime>\s*<qdt:DateTimeString format=\"102\">(\d+)<",
        xml,
    )
    assert reference and reference.groups() == (invoice.reference.encode(), b"20260302")
    assert b">381<" in xml
    assert french_ctc_validator().fatal(xml) == []
    assert facturx_en16931_validator().fatal(xml) == []
    # Without it, the French rules refuse the credit note (BR-FR-CO-05): the check can fail.
    orphan = facturx_xml({**note.snapshot, "credited_invoice": None})
    assert any("BR-FR-CO-05" in f.message for f in french_ctc_validator().fatal(orphan))


@pytest.mark.entity_scope("paris_entity")
def test_french_b2b_invoice_passes_en16931_and_the_french_ctc_rules(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    invoice = _issue(
        member, activity, _french_company(paris_entity, member, activity), lines=FR_LINES
    )
    xml = facturx_xml(invoice.snapshot)
    assert facturx_en16931_validator().fatal(xml) == []
    assert french_ctc_validator().fatal(xml) == []
    text = xml.decode()
    assert "<ram:ID>S1</ram:ID>" in text  # BT-23, services invoice
    assert text.count('schemeID="0002"') == 2  # SIREN of seller and buyer
    assert text.count('schemeID="0225"') == 2  # BT-34 and BT-49
    for code in ("PMD", "PMT", "AAB", "BAR"):
        assert f"<ram:SubjectCode>{code}</ram:SubjectCode>" in text
    assert "Pas d'escompte pour paiement anticipé." in text
    # Its UBL still passes the Peppol rules.
    assert peppol_validator().fatal(build_ubl(invoice.snapshot)) == []


@pytest.mark.entity_scope("paris_entity")
def test_french_deposit_final_abroad_and_consumer_documents_under_the_french_rules(paris_entity):
    """Deposit (386) and final invoice (S4, deposit in BG-3) to a French company, a company
    abroad (B2BINT, its Peppol address as BT-49): no finding. A consumer (B2C) has no directory
    address, so BR-FR-12 (BT-49) is the one rule it cannot meet: B2C sales are e-reported, not
    e-invoiced, and docs/invoicing.md says so."""
    from tests.invoicing.test_deposits import DEPOSIT_LINES

    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    company = _french_company(paris_entity, member, activity)
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=company, lines=DEPOSIT_LINES, is_deposit=True
    )
    deposit = services.invoice_issue(invoice=draft, issued_by=member.user, on=ISSUED_ON)
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=company, lines=LINES, deposits=[deposit]
    )
    final = services.invoice_issue(invoice=draft, issued_by=member.user, on=ISSUED_ON)
    abroad = _client(
        paris_entity,
        member,
        activity,
        kind="company",
        name="Theater Antwerpen nv",
        street="Kunstlaan 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE0403170701",
        language="nl",
    )
    international = _issue(member, activity, abroad, lines=FR_LINES)
    for document in (deposit, final, international):
        xml = facturx_xml(document.snapshot)
        assert facturx_en16931_validator().fatal(xml) == [], document.reference
        assert french_ctc_validator().fatal(xml) == [], document.reference
    assert b"<ram:ID>S4</ram:ID>" in facturx_xml(final.snapshot)
    assert b'schemeID="0208">0403170701<' in facturx_xml(international.snapshot)

    person = _client(
        paris_entity,
        member,
        activity,
        kind="person",
        name="Camille Martin",
        street="3 rue Victor Hugo",
        postcode="69002",
        city="Lyon",
        country="FR",
        language="fr",
    )
    xml = facturx_xml(_issue(member, activity, person, lines=FR_LINES).snapshot)
    assert facturx_en16931_validator().fatal(xml) == []
    assert [f.rule_id for f in french_ctc_validator().fatal(xml)] == ["BR-FR-12_BT-49"]
    assert b"<ram:Content>B2C</ram:Content>" in xml


@pytest.mark.entity_scope("paris_entity")
def test_the_french_rules_refuse_what_we_used_to_send(paris_entity):
    """The rules are live: the XML without the reform's fields is refused, rule by rule."""
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    invoice = _issue(
        member, activity, _french_company(paris_entity, member, activity), lines=FR_LINES
    )
    mentions = {k: v for k, v in invoice.snapshot["mentions"].items() if k != "einvoice_notes"}
    xml = facturx_xml({**invoice.snapshot, "mentions": mentions})
    refused = " ".join(f.message for f in french_ctc_validator().fatal(xml))
    for rule in ("BR-FR-05/BT-22 : La mention relative aux frais de recouvrement (code PMT)",):
        assert rule in refused


# --- France from 1 September 2026: the reform's four extra mentions -------------------------

REFORM_DAY = date(2026, 9, 1)
WAREHOUSE = {"street": "Quai Rambaud 12", "postcode": "69002", "city": "Lyon", "country": "FR"}


def _lyon_opera(entity, member, activity):
    return _client(
        entity,
        member,
        activity,
        kind="company",
        name="Opéra de Lyon SA",
        street="1 place de la Comédie",
        postcode="69001",
        city="Lyon",
        country="FR",
        vat_number="FR44732829320",  # SIREN 732829320, not the issuer's 303265045
        language="fr",
    )


def _issue_on(member, activity, client, on, **fields):
    draft = services.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=FR_LINES, **fields
    )
    return services.invoice_issue(invoice=draft, issued_by=member.user, on=on)


@pytest.mark.entity_scope("paris_entity")
def test_french_invoices_from_september_2026_carry_the_reforms_four_mentions(paris_entity):
    """Client SIREN (labelled, even when the VAT number contains it), category of the operation,
    the VAT-on-debits option of an entity that opted, the delivery address that is not the
    billing one — on the PDF and in the Factur-X, which still passes EN 16931 and the French
    CTC rules; the UBL still passes Peppol. The day before the reform: none of the three dated
    mentions."""
    paris_entity.vat_on_debits_from = date(2026, 1, 1)
    paris_entity.save()
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    opera = _lyon_opera(paris_entity, member, activity)

    before = _issue_on(member, activity, opera, REFORM_DAY - timedelta(days=1))
    text = _text(invoice_documents_build(before)[0])
    assert "Catégorie de l'opération" not in text and "débits" not in text
    assert "732829320" not in text.replace("FR44732829320", "")

    invoice = _issue_on(
        member,
        activity,
        opera,
        date(2026, 10, 5),
        operation_category="mixed",
        delivery_address=WAREHOUSE,
    )
    text = _text(invoice_documents_build(invoice)[0])
    assert "Numéro SIREN: 732829320" in text
    assert "Catégorie de l'opération : livraison de biens et prestation de services." in text
    assert "Option pour le paiement de la taxe d'après les débits." in text
    assert "Adresse de livraison Quai Rambaud 12 69002 Lyon (FR)" in text

    xml = facturx_xml(invoice.snapshot)
    assert facturx_en16931_validator().fatal(xml) == []
    assert french_ctc_validator().fatal(xml) == []
    body = xml.decode()
    assert "<ram:ID>M1</ram:ID>" in body  # BT-23: goods and services, to pay
    assert "<ram:DueDateTypeCode>5</ram:DueDateTypeCode>" in body  # BT-8: VAT on debits
    ship_to = re.search(r"<ram:ShipToTradeParty>.*?</ram:ShipToTradeParty>", body, re.S)
    assert ship_to and "Quai Rambaud 12" in ship_to.group() and "69002" in ship_to.group()
    assert ">732829320<" in body  # BT-47, the buyer's SIREN
    ubl = build_ubl(invoice.snapshot)
    assert peppol_validator().fatal(ubl) == []
    assert b"<cbc:StreetName>Quai Rambaud 12</cbc:StreetName>" in ubl

    # Its credit note keeps the category and the address, but states no option for debits.
    note_text = _text(invoice_documents_build(_credit_on(member, invoice))[0])
    assert "livraison de biens et prestation de services" in note_text
    assert "Quai Rambaud 12" in note_text and "débits" not in note_text


def _credit_on(member, invoice):
    note = services.credit_note_create(invoice=invoice, actor=member.user, reason="Annulé")
    return services.invoice_issue(invoice=note, issued_by=member.user, on=date(2026, 10, 6))


@pytest.mark.entity_scope("paris_entity")
def test_no_option_for_debits_unless_the_entity_opted_by_the_issue_date(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    opera = _lyon_opera(paris_entity, member, activity)
    services_only = _issue_on(member, activity, opera, date(2026, 10, 5))
    text = _text(invoice_documents_build(services_only)[0])
    assert "Catégorie de l'opération : prestation de services." in text
    assert "débits" not in text
    assert b"DueDateTypeCode" not in facturx_xml(services_only.snapshot)
    assert b"<ram:ID>S1</ram:ID>" in facturx_xml(services_only.snapshot)

    paris_entity.vat_on_debits_from = date(2026, 11, 1)  # opted after that invoice
    paris_entity.save()
    goods = _issue_on(member, activity, opera, date(2026, 10, 20), operation_category="goods")
    assert goods.snapshot["mentions"]["vat_on_debits"] == ""
    assert b"<ram:ID>B1</ram:ID>" in facturx_xml(goods.snapshot)
    later = _issue_on(member, activity, opera, date(2026, 11, 2))
    assert "débits" in later.snapshot["mentions"]["vat_on_debits"]


@pytest.mark.entity_scope("paris_entity")
def test_a_delivery_address_is_whole_real_and_printed_only_when_it_differs(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    opera = _lyon_opera(paris_entity, member, activity)
    for address, field in (
        ({**WAREHOUSE, "city": ""}, "delivery_city"),
        ({**WAREHOUSE, "country": "XX"}, "delivery_country"),
        ({**WAREHOUSE, "street": "Quai\nRambaud"}, "delivery_street"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.invoice_draft_save(
                actor=member.user,
                activity=activity,
                client=opera,
                lines=FR_LINES,
                delivery_address=address,
            )
        assert refused.value.field == field
    assert not opera.invoices.exists()  # nothing stored
    # The client's own address (written another way) is not a different delivery address.
    same = {
        "street": "1 Place de la  Comédie",
        "postcode": "69001",
        "city": "LYON",
        "country": "fr",
    }
    invoice = _issue_on(member, activity, opera, date(2026, 10, 5), delivery_address=same)
    assert invoice.snapshot["delivery_address"] is None
    assert "Adresse de livraison" not in _text(invoice_documents_build(invoice)[0])


# --- Reminder letters: the rate and amounts of their date ------------------------------------


@pytest.mark.usefixtures("tasks_inline")
def test_every_belgian_b2b_reminder_letter_states_the_legal_rate_and_interest_to_date(
    brussels_entity, member, activity, be_client
):
    today = date(2026, 6, 1)
    invoice = issue_overdue(member, activity, be_client, 8, on=today)
    assert run_reminders(today) == 1
    first = Reminder.objects.get(invoice=invoice)
    assert first.interest_rate == Decimal("0.105")  # H1 2026, not 0
    assert first.interest == 0  # told, not claimed
    text = _text(first.letter.read())
    assert not re.search(r"(?<![\d.,])0 %", text)  # no "0 % per year" any more
    # 1,159.20 x 10.5 % x 8 / 365 = 2.67 to date
    assert "10.5 % per year on the date of this letter (€2.67 to date)" in text
    assert "RLE Brussels" in text  # the letter names the register too (English client)

    assert run_reminders(today + timedelta(days=14)) == 1  # second reminder at +21 (8 + 14 = 22)
    second = Reminder.objects.get(invoice=invoice, step=2)
    text = _text(second.letter.read())
    assert second.interest_rate == Decimal("0.105")
    assert "(€7.34 to date)" in text  # 22 days: 1,159.20 x 10.5 % x 22 / 365


@pytest.mark.usefixtures("tasks_inline")
def test_a_formal_notice_across_1_july_claims_each_semesters_rate(
    brussels_entity, member, activity, be_client
):
    today = date(2025, 7, 16)
    invoice = issue_overdue(member, activity, be_client, 36, on=today)  # due 10 June 2025
    assert run_reminders(today) == 1
    notice = Reminder.objects.get(invoice=invoice)
    assert notice.kind == "formal_notice" and notice.amount_due == Decimal("1159.20")
    # 20 days of June at 11.5 % (H1 2025) and 16 days of July at 10.5 % (H2 2025).
    assert notice.interest == Decimal("12.64")  # 1,159.20 x (0.115 x 20 + 0.105 x 16) / 365
    assert notice.interest_rate == Decimal("0.105")  # the rate on the letter's date
    text = _text(notice.letter.read())
    assert "€12.64" in text and "10.5 %" in text


@pytest.mark.entity_scope("paris_entity")
@pytest.mark.usefixtures("tasks_inline")
def test_french_b2b_reminder_uses_the_rate_in_force_on_its_own_date(paris_entity):
    member = make_member()
    activity = make_activity(entity=paris_entity, member=member)
    client = _french_company(paris_entity, member, activity)
    # Issued in H2 2025 (12.15 %), reminded in H1 2026: the letter states the 2026 rate.
    today = date(2026, 1, 10)
    invoice = issue_overdue(member, activity, client, 8, on=today)
    assert run_reminders(today) == 1
    reminder = Reminder.objects.get(invoice=invoice)
    assert reminder.interest_rate == Decimal("0.1215")
    text = _text(reminder.letter.read())
    assert "12,15 % par an à la date de ce courrier" in text
    assert "RCS Paris" in text and "SCIC SA à capital variable" in text


# --- The product carries its rules -----------------------------------------------------------


def test_no_code_path_reads_the_shared_reference_folder():
    root = Path(__file__).resolve().parents[2]
    found = subprocess.run(
        [
            "grep",
            "-rnE",
            r"/work/shared|\.\./shared|shared/peppol",
            "--include=*.py",
            "--include=*.html",
            "--include=*.yaml",
            "--include=*.toml",
            "--include=*.cfg",
            "--include=Makefile",
            "--include=Dockerfile",
            "invoicing",
            "smartcoop",
            "members",
            "activities",
            "payroll",
            "governance",
            "templates",
            "scripts",
            "Makefile",
            "Dockerfile",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert found.stdout == "", found.stdout
    rules = root / "invoicing/documents/rules/peppol"
    assert {"CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch", "SOURCE.md", "LICENSE.md"} <= {
        p.name for p in rules.iterdir()
    }
