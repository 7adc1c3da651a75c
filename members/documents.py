"""Documents of the members app: share certificates, the register of members and the GDPR
export as PDF (WeasyPrint), the register as CSV, and the EPC payment QR code as inline SVG.

Rendering happens outside transactions (in tasks or in a view's response)."""

from __future__ import annotations

import csv
import io
from datetime import date

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from . import calculations, selectors
from .models import Member, ShareSubscription


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {"country_pack": settings.COUNTRY_PACK, **context})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def payment_qr_svg(*, subscription: ShareSubscription) -> SafeString:
    """The EPC QR code (SEPA credit transfer) of a share payment, as an inline SVG element."""
    entity = subscription.entity
    payload = calculations.epc_qr_payload(
        name=entity.name[:70],
        iban=entity.iban,
        bic=entity.bic,
        amount=subscription.amount,
        structured=subscription.structured_reference,
    )
    qr = segno.make_qr(payload, error="m", boost_error=False)
    svg = qr.svg_inline(scale=4, border=2, dark="#1b2430", omitsize=True)
    # segno escapes nothing we did not build ourselves: the payload is digits and the name.
    svg = svg.replace(
        "<svg ",
        '<svg role="img" aria-label="EPC QR code" style="width:100%;height:auto" ',
        1,
    )
    return mark_safe(svg)


def render_certificate_pdf(*, subscription: ShareSubscription) -> bytes:
    member = subscription.member
    holdings = selectors.member_holdings(member=member, on=subscription.paid_on)
    language = member.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _pdf(
            "members/pdf/certificate.html",
            {
                "subscription": subscription,
                "member": member,
                "entity": subscription.entity,
                "holdings": holdings,
                "issued_at": timezone.now(),
                "category_labels": _category_labels(),
            },
        )


def _category_labels() -> dict[str, str]:
    return {c.code: str(c.label) for c in settings.COUNTRY_PACK.share_categories}


def render_register_pdf(*, on: date) -> bytes:
    rows = selectors.register_at(on=on)
    return _pdf(
        "members/pdf/register.html",
        {
            "rows": rows,
            "totals": selectors.register_totals(rows),
            "on": on,
            "entity": selectors.cooperative_entity(),
            "generated_at": timezone.now(),
            "category_labels": _category_labels(),
        },
    )


def render_register_csv(*, on: date) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["member_number", "name", "address", "category", "shares", "amount", "date"])
    for row in selectors.register_at(on=on):
        writer.writerow(
            [
                row["member_number"],
                _csv_safe(row["name"]),
                _csv_safe(row["address"]),
                row["category"],
                row["shares"],
                f"{row['amount']:.2f}",
                on.isoformat(),
            ]
        )
    return buffer.getvalue()


def _csv_safe(text: str) -> str:
    """Keep spreadsheet software from running a name as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_export_pdf(*, member: Member, data: dict) -> bytes:
    with translation.override(member.language or settings.LANGUAGE_CODE):
        return _pdf(
            "members/pdf/export.html",
            {"member": member, "data": data, "generated_at": timezone.now()},
        )
