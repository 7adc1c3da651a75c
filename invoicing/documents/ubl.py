"""Peppol BIS Billing 3.0 UBL for invoices and credit notes, built from the issued document's
snapshot only (so the e-invoice of an old invoice is reproducible byte for byte).

Skeleton: shared/RULES.md §4.2 and the official examples (invoicing/documents/rules/peppol). Validated in
the test suite against the CEN EN 16931 and Peppol Schematron (invoicing/documents/schematron.py).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from smartcoop.countries import pack_of_country

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

# Electronic address schemes (Peppol EAS code list) for a party known by its VAT number.
# UNCERTAIN beyond BE 0208/9925: codes from the EAS list names, to confirm per country.
VAT_ENDPOINT_SCHEMES = {
    "AT": "9914",
    "BE": "9925",
    "CH": "9927",
    "DE": "9930",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "IE": "9935",
    "IT": "0211",
    "LU": "9938",
    "NL": "9944",
    "PT": "9946",
}


class UblUnavailable(ValueError):
    """The client has no electronic address Peppol accepts: no UBL is produced."""


def _cbc(parent, tag: str, text, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS['cbc']}}}{tag}", **attrs)
    element.text = str(text)
    return element


def _cac(parent, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS['cac']}}}{name}")


def _amount(parent, name: str, value, currency: str) -> None:
    _cbc(parent, name, f"{Decimal(value):.2f}", currencyID=currency)


def _percent(rate: str) -> str:
    return format((Decimal(rate) * 100).quantize(Decimal("0.01")).normalize(), "f")


def enterprise_number_scheme(country: str | None) -> str:
    """The ISO 6523 scheme of an issuer's enterprise number, from its country's pack."""
    pack = pack_of_country(country)
    if pack is None or not pack.enterprise_number_scheme:
        raise UblUnavailable(f"no enterprise number scheme for {country!r} in the country packs")
    return pack.enterprise_number_scheme


def client_endpoint(client: dict) -> tuple[str, str]:
    if client.get("peppol_scheme") and client.get("peppol_id"):
        return client["peppol_scheme"], client["peppol_id"]
    client_pack = pack_of_country(client.get("country"))
    if client_pack and client_pack.peppol_by_enterprise_number and client.get("enterprise_number"):
        return client_pack.enterprise_number_scheme, client["enterprise_number"]
    scheme = VAT_ENDPOINT_SCHEMES.get(client.get("country", ""))
    if scheme and client.get("vat_number"):
        return scheme, client["vat_number"]
    raise UblUnavailable("the client has no Peppol electronic address")


def _address(party, data: dict) -> None:
    address = _cac(party, "PostalAddress")
    _cbc(address, "StreetName", data["street"])
    _cbc(address, "CityName", data["city"])
    _cbc(address, "PostalZone", data["postcode"])
    _cbc(_cac(address, "Country"), "IdentificationCode", data["country"])


def _tax_category(parent, tag: str, category: str, rate: str, exemption: dict | None) -> None:
    node = _cac(parent, tag)
    _cbc(node, "ID", category)
    if category != "O":
        _cbc(node, "Percent", _percent(rate))
    if exemption:
        if exemption.get("code"):
            _cbc(node, "TaxExemptionReasonCode", exemption["code"])
        if exemption.get("text"):
            _cbc(node, "TaxExemptionReason", exemption["text"])
    _cbc(_cac(node, "TaxScheme"), "ID", "VAT")


def payment_terms_text(snapshot: dict) -> str:
    """BT-20, the payment terms in words; an agreed schedule lists its instalments."""
    instalments = snapshot.get("instalments") or []
    if not instalments:
        return f"Payment within {snapshot['payment_days']} days"
    parts = "; ".join(f"{i['due_date']} {snapshot['currency']} {i['amount']}" for i in instalments)
    return f"Payment in {len(instalments)} instalments: {parts}"


def build_ubl(snapshot: dict) -> bytes:
    """The UBL 2.1 Invoice or CreditNote of an issued document's snapshot."""
    credit = snapshot["kind"] == "credit_note"
    root_ns = NS["cn"] if credit else NS["inv"]
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: root_ns, "cac": NS["cac"], "cbc": NS["cbc"]},
    )
    currency = snapshot["currency"]
    issuer, client = snapshot["issuer"], snapshot["client"]
    vat = snapshot["vat"]
    out_of_scope = any(g["category"] == "O" for g in vat["breakdown"])
    endpoint_scheme, endpoint_id = client_endpoint(client)

    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", snapshot["reference"])
    _cbc(root, "IssueDate", snapshot["issue_date"])
    if not credit and snapshot.get("due_date"):
        _cbc(root, "DueDate", snapshot["due_date"])
    # UNTDID 1001: 381 credit note, 386 prepayment (deposit) invoice, 380 commercial invoice.
    type_code = "381" if credit else ("386" if snapshot.get("is_deposit") else "380")
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", type_code)
    notes = [snapshot.get("note") or "", snapshot["mentions"].get("vat") or ""]
    note = " ".join(n for n in notes if n).strip()
    if note:
        _cbc(root, "Note", note)
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", snapshot.get("buyer_reference") or snapshot["reference"])
    if credit and snapshot.get("credited_invoice"):
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", snapshot["credited_invoice"]["reference"])
        _cbc(reference, "IssueDate", snapshot["credited_invoice"]["issue_date"])
    for deposit in snapshot.get("deposits_deducted", []):  # BG-3: the deposit invoices deducted
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", deposit["reference"])
        _cbc(reference, "IssueDate", deposit["issue_date"])

    # Seller: the enterprise number's scheme of the issuer's pack (BE 0208 KBO/BCE, FR 0002 SIREN)
    seller_scheme = enterprise_number_scheme(issuer.get("country"))
    party = _cac(_cac(root, "AccountingSupplierParty"), "Party")
    _cbc(party, "EndpointID", issuer["enterprise_number"], schemeID=seller_scheme)
    _cbc(_cac(party, "PartyName"), "Name", issuer["name"])
    _address(party, issuer)
    if issuer.get("vat_number") and not out_of_scope:
        scheme = _cac(party, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", issuer["vat_number"])
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", issuer["name"])
    _cbc(legal, "CompanyID", issuer["enterprise_number"], schemeID=seller_scheme)
    if issuer.get("email"):
        _cbc(_cac(party, "Contact"), "ElectronicMail", issuer["email"])

    # Buyer
    party = _cac(_cac(root, "AccountingCustomerParty"), "Party")
    _cbc(party, "EndpointID", endpoint_id, schemeID=endpoint_scheme)
    _cbc(_cac(party, "PartyName"), "Name", client["name"])
    _address(party, client)
    if client.get("vat_number") and not out_of_scope:
        scheme = _cac(party, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", client["vat_number"])
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", client["name"])
    client_pack = pack_of_country(client.get("country"))
    if client_pack and client_pack.peppol_by_enterprise_number and client.get("enterprise_number"):
        _cbc(
            legal,
            "CompanyID",
            client["enterprise_number"],
            schemeID=client_pack.enterprise_number_scheme,
        )
    if client.get("email"):
        _cbc(_cac(party, "Contact"), "ElectronicMail", client["email"])

    delivery_address = snapshot.get("delivery_address")
    if snapshot.get("delivery_date") or delivery_address:
        delivery = _cac(root, "Delivery")
        if snapshot.get("delivery_date"):
            _cbc(delivery, "ActualDeliveryDate", snapshot["delivery_date"])
        if delivery_address:  # BG-15, when it is not the billing address
            address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
            _cbc(address, "StreetName", delivery_address["street"])
            _cbc(address, "CityName", delivery_address["city"])
            _cbc(address, "PostalZone", delivery_address["postcode"])
            _cbc(_cac(address, "Country"), "IdentificationCode", delivery_address["country"])
            _cbc(_cac(_cac(delivery, "DeliveryParty"), "PartyName"), "Name", client["name"])

    if not credit:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", "30", name="Credit transfer")
        if snapshot.get("structured_communication"):
            _cbc(means, "PaymentID", snapshot["structured_communication"])
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", issuer["iban"])
        _cbc(account, "Name", issuer["name"])
        if issuer.get("bic"):
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", issuer["bic"])
    terms = _cac(root, "PaymentTerms")
    if credit:
        _cbc(terms, "Note", "Credit note: the amount is refunded or set off.")
    else:
        _cbc(terms, "Note", payment_terms_text(snapshot))

    exemption = None
    if vat.get("exemption_code"):
        exemption = {"code": vat["exemption_code"], "text": snapshot["mentions"].get("vat", "")}
    for group in vat["breakdown"]:
        if Decimal(group["allowance"]) == 0:
            continue
        allowance = _cac(root, "AllowanceCharge")
        _cbc(allowance, "ChargeIndicator", "false")
        _cbc(allowance, "AllowanceChargeReasonCode", "95")
        _cbc(allowance, "AllowanceChargeReason", "Discount")
        _cbc(
            allowance,
            "MultiplierFactorNumeric",
            format(Decimal(snapshot["discount_rate"]).normalize(), "f"),
        )
        _amount(allowance, "Amount", group["allowance"], currency)
        _amount(allowance, "BaseAmount", group["lines_total"], currency)
        _tax_category(allowance, "TaxCategory", group["category"], group["rate"], None)

    totals = snapshot["totals"]
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", totals["vat"], currency)
    for group in vat["breakdown"]:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", group["taxable"], currency)
        _amount(subtotal, "TaxAmount", group["vat"], currency)
        _tax_category(
            subtotal,
            "TaxCategory",
            group["category"],
            group["rate"],
            exemption if group["category"] in ("E", "AE", "O", "G", "K") else None,
        )

    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", totals["lines"], currency)
    _amount(monetary, "TaxExclusiveAmount", totals["excl_vat"], currency)
    _amount(monetary, "TaxInclusiveAmount", totals["incl_vat"], currency)
    if Decimal(totals["allowances"]) > 0:
        _amount(monetary, "AllowanceTotalAmount", totals["allowances"], currency)
    _amount(monetary, "PayableAmount", totals["incl_vat"], currency)

    for line in snapshot["lines"]:
        node = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(node, "ID", line["position"])
        _cbc(
            node,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            line["quantity"],
            unitCode=line["unit"],
        )
        _amount(node, "LineExtensionAmount", line["line_total"], currency)
        item = _cac(node, "Item")
        _cbc(item, "Name", line["description"][:200])
        _tax_category(item, "ClassifiedTaxCategory", line["vat_category"], line["vat_rate"], None)
        price = _cac(node, "Price")
        _cbc(
            price,
            "PriceAmount",
            format(Decimal(line["unit_price"]).normalize(), "f")
            if Decimal(line["unit_price"]) != 0
            else "0",
            currencyID=currency,
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
