"""Documents of the members app: share certificates, the register of members and the GDPR
export as PDF (WeasyPrint), the register as CSV, and the EPC payment QR code as inline SVG.

Rendering happens outside transactions (in tasks or in a view's response)."""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from smartcoop.core.payments import epc_qr_payload, epc_qr_svg, structured_communication_format
from smartcoop.core.pdf import render_pdf
from smartcoop.core.spreadsheets import safe_writer

from . import selectors
from .models import Member, ShareSubscription


def payment_qr_svg(*, subscription: ShareSubscription) -> SafeString:
    """The EPC QR code (SEPA credit transfer) of a share payment, as an inline SVG element."""
    entity = subscription.entity
    payload = epc_qr_payload(
        name=entity.name[:70],
        iban=entity.iban,
        bic=entity.bic,
        amount=subscription.amount,
        text=structured_communication_format(subscription.structured_reference),
    )
    return epc_qr_svg(payload)


def render_certificate_pdf(*, subscription: ShareSubscription) -> bytes:
    member = subscription.member
    holdings = selectors.member_holdings(member=member, on=subscription.paid_on)
    language = member.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return render_pdf(
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
    return render_pdf(
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
    writer = safe_writer(buffer)
    writer.writerow(["member_number", "name", "address", "category", "shares", "amount", "date"])
    for row in selectors.register_at(on=on):
        writer.writerow(
            [
                row["member_number"],
                row["name"],
                row["address"],
                row["category"],
                row["shares"],
                f"{row['amount']:.2f}",
                on.isoformat(),
            ]
        )
    return buffer.getvalue()


def render_export_pdf(*, member: Member, data: dict) -> bytes:
    with translation.override(member.language or settings.LANGUAGE_CODE):
        return render_pdf(
            "members/pdf/export.html",
            {"member": member, "data": data, "generated_at": timezone.now()},
        )
