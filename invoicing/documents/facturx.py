"""Factur-X (EN 16931 profile) for French deployments: the CII XML built from the issued
snapshot with the `factur-x` library (its XSD check on), embedded into the invoice PDF as a
PDF/A-3 attachment. Schematron checks of factur-x 6+ need an HTTP Saxon server, so they are off;
the same EN 16931 business rules are exercised on our UBL by the Peppol validator."""

from __future__ import annotations

from decimal import Decimal

from facturx import generate_from_binary, xml_check_xsd
from facturx.generate_xml import generate_xml

from .ubl import payment_terms_text

EN16931 = "urn:cen.eu:en16931:2017"


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
    if seller and data.get("enterprise_number"):
        party["legal_identifier"] = data["enterprise_number"]
    if data.get("email"):
        party["contacts"] = [{"email": data["email"]}]
    return party


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
    data["BT-20"] = (
        f"{snapshot.get('payment_days') or 0} days" if credit else payment_terms_text(snapshot)
    )
    if not credit:
        data["BT-81"] = "30"
        data["BT-84"] = snapshot["issuer"]["iban"]
        # Remittance information: the payment reference the transfer must carry (RF… in France).
        data["BT-83"] = snapshot.get("structured_communication") or snapshot["reference"]
    if Decimal(totals["allowances"]) > 0:
        data["BT-107"] = totals["allowances"]
    if snapshot.get("due_date") and not credit:
        data["BT-9"] = snapshot["due_date"]
    xml = generate_xml(
        data, flavor="factur-x", level="en16931", check_xsd=True, check_schematron=False
    )
    return xml if isinstance(xml, bytes) else xml.encode()


def facturx_pdf(pdf: bytes, snapshot: dict) -> bytes:
    """The invoice PDF with its Factur-X XML embedded (PDF/A-3, XSD-checked)."""
    xml = facturx_xml(snapshot)
    xml_check_xsd(xml, flavor="factur-x", level="en16931")
    return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True)
