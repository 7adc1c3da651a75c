"""Invoice, credit note and reminder PDFs (WeasyPrint), rendered from the issued snapshot.

Throughput: WeasyPrint spends much of a small document's time parsing the stylesheet and setting
up fonts. The renderer parses the print stylesheet once and shares one FontConfiguration per
process, instead of a naive `HTML(string=...).write_pdf()` that redoes both for every document
(measured side by side in `make bench`)."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from ..calculations import epc_qr_payload, ogm_format

PRINT_CSS = Path(__file__).with_name("invoice.css")


def epc_qr_svg_data_uri(
    snapshot: dict, amount: Decimal | None = None, *, raster: bool = False
) -> str:
    """The EPC QR code (error correction M) as an SVG data URI, or "" when nothing is due."""
    amount = Decimal(snapshot["totals"]["incl_vat"]) if amount is None else amount
    if amount <= 0 or snapshot["kind"] != "invoice":
        return ""
    issuer = snapshot["issuer"]
    ogm = snapshot.get("structured_communication") or ""
    payload = epc_qr_payload(
        name=issuer["name"],
        iban=issuer["iban"],
        bic=issuer.get("bic", ""),
        amount=amount,
        remittance=ogm_format(ogm) if ogm else snapshot["reference"],
    )
    qr = segno.make(payload, error="m", micro=False)
    if raster:  # PDFs: a small PNG lays out and embeds faster than hundreds of SVG rects
        return qr.png_data_uri(scale=4, border=2)
    return qr.svg_data_uri(scale=3, border=2)


def invoice_html(snapshot: dict, *, visual_copy: bool) -> str:
    language = snapshot["client"].get("language") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return render_to_string(
            "invoicing/pdf/invoice.html",
            {
                "s": snapshot,
                "qr": epc_qr_svg_data_uri(snapshot, raster=True),
                "ogm": ogm_format(snapshot["structured_communication"])
                if snapshot.get("structured_communication")
                else "",
                "visual_copy": visual_copy,
                "is_credit_note": snapshot["kind"] == "credit_note",
            },
        )


@functools.cache
def _stylesheet():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=str(PRINT_CSS), font_config=fonts), fonts


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    css, fonts = _stylesheet()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[css], font_config=fonts
    )


def render_pdf_naive(html_with_link: str) -> bytes:
    """The naive way (for the benchmark only): stylesheet and fonts set up per document."""
    from weasyprint import HTML

    return HTML(string=html_with_link, base_url=str(settings.BASE_DIR)).write_pdf()
