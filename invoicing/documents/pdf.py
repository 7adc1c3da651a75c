"""Invoice, credit note and reminder PDFs (WeasyPrint), rendered from the issued snapshot.

Throughput: WeasyPrint spends much of a small document's time parsing the stylesheet and setting
up fonts. The renderer parses the print stylesheet once and shares one FontConfiguration per
process, instead of a naive `HTML(string=...).write_pdf()` that redoes both for every document
(measured side by side in `make bench`). The rest is the layout of the content, which the
template and stylesheet keep cheap (few elements and lines; see invoice.css)."""

from __future__ import annotations

import base64
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from smartcoop.core.payments import (
    epc_qr,
    epc_qr_payload,
    epc_qr_reference,
    payment_reference_format,
    payment_reference_label,
)
from smartcoop.core.payments import (
    epc_qr_svg_data_uri as qr_svg_data_uri,
)
from smartcoop.core.pdf import html_to_pdf
from smartcoop.countries import param

from ..mentions import capital_mention, register_mention

PRINT_CSS = Path(__file__).with_name("invoice.css")


def epc_qr_svg_data_uri(
    snapshot: dict, amount: Decimal | None = None, *, raster: bool = False
) -> str:
    """The EPC QR code (error correction M) as an SVG data URI, or "" when nothing is due."""
    amount = Decimal(snapshot["totals"]["incl_vat"]) if amount is None else amount
    if amount <= 0 or snapshot["kind"] != "invoice":
        return ""
    issuer = snapshot["issuer"]
    reference = snapshot.get("structured_communication") or ""
    payload = epc_qr_payload(
        name=issuer["name"][:70],
        iban=issuer["iban"],
        bic=issuer.get("bic", ""),
        amount=amount,
        **(epc_qr_reference(reference) if reference else {"text": snapshot["reference"]}),
    )
    # PDFs: a small PNG lays out and embeds faster than hundreds of SVG rects.
    return _qr_png_data_uri(payload) if raster else qr_svg_data_uri(payload)


def _qr_png_data_uri(payload: str) -> str:
    """The QR code as an 8-bit greyscale PNG with one pixel per module (2-module quiet zone),
    for `image-rendering: pixelated` in the print stylesheet. WeasyPrint embeds such a PNG as it
    is, where it converts a 1-bit PNG to RGB and re-encodes it twice per document."""
    from PIL import Image

    qr = epc_qr(payload)
    border = 2
    size = int(qr.symbol_size(scale=1, border=border)[0])
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in qr.matrix_iter(border=border) for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def issuer_identity(entity, *, on: date) -> dict:
    """What a letter or statement says of who sends it, in the active language, from the
    entity's data and its pack's `invoice_mentions` on `on`: `legal_form` (with the capital where
    the country asks for it) and `register` (e.g. "RPR Brussel", "RCS Paris")."""
    country = entity.country.lower()
    keys = param(f"{country}.invoice_mentions", on=on, default={})
    capital = capital_mention(
        keys.get("capital", ""),
        share_capital=entity.share_capital,
        variable=entity.variable_capital,
    )
    return {
        "legal_form": " ".join(part for part in (entity.legal_form, capital) if part),
        "register": register_mention(
            keys.get("register", ""),
            court=entity.register_court,
            court_names=param(f"{country}.register_court_names", on=on, default={}),
        ),
    }


def first_instalment(snapshot: dict) -> Decimal | None:
    """What the QR code of an invoice paid in instalments asks for: the first one."""
    instalments = snapshot.get("instalments") or []
    return Decimal(instalments[0]["amount"]) if instalments else None


def payment_reference_context(snapshot: dict) -> dict:
    """The reference as printed (`ogm`) and what it is called (`ogm_label`)."""
    reference = snapshot.get("structured_communication") or ""
    return {
        "ogm": payment_reference_format(reference) if reference else "",
        "ogm_label": payment_reference_label(reference),
    }


def document_language(language: str | None) -> str:
    """The language a document for this client is written in: theirs when we offer it."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def invoice_html(snapshot: dict, *, visual_copy: bool) -> str:
    with translation.override(document_language(snapshot["client"].get("language"))):
        return render_to_string(
            "invoicing/pdf/invoice.html",
            {
                "s": snapshot,
                "qr": epc_qr_svg_data_uri(snapshot, first_instalment(snapshot), raster=True),
                **payment_reference_context(snapshot),
                "visual_copy": visual_copy,
                "is_credit_note": snapshot["kind"] == "credit_note",
            },
        )


def render_pdf(html: str, *, variant: str | None = None) -> bytes:
    return html_to_pdf(html, stylesheet=PRINT_CSS, variant=variant)
