"""A reminder or formal notice: one context for the e-mail and the PDF letter, in the client's
language, with the legal paragraphs of the entity's country (invoicing/mentions.py) and the
figures as the client reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from smartcoop.core.money import format_money, format_percent
from smartcoop.countries import param, parameter_tables

from .. import calculations as calc
from ..mentions import reminder_paragraphs
from .pdf import (
    document_language,
    epc_qr_svg_data_uri,
    issuer_identity,
    payment_reference_context,
    render_pdf,
)


def client_language(snapshot: dict) -> str:
    return document_language(snapshot["client"].get("language"))


def _param(country: str, name: str, *, on: date, default):
    return param(f"{country.lower()}.{name}", on=on, default=default)


def _history(country: str, name: str) -> list:
    table = parameter_tables().get(f"{country.lower()}.{name}")
    return [(entry.valid_from, entry.value) for entry in table.values] if table else []


def _short(value: str | date | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def reminder_context(reminder, *, link: str) -> dict:
    """Everything the letter and the e-mail print. Call inside the client's language."""
    invoice = reminder.invoice
    snapshot = invoice.snapshot
    country = snapshot["issuer"]["country"]
    business = snapshot["client"].get("kind") == "company"
    level = reminder.level
    on = reminder.sent_on
    keys = _param(country, "reminder_mentions", on=on, default={})
    indemnity = _param(country, "late_payment_fixed_indemnity_b2b", on=on, default=Decimal("0"))
    brackets = _param(country, "consumer_damages_brackets", on=on, default=())
    claimed = reminder.amount_due + reminder.interest + reminder.fixed_costs
    currency = snapshot["currency"]
    rate = reminder.interest_rate
    if business and not rate:  # a reminder stored before the rate was kept at every level
        rate = _param(country, "late_interest_rate_b2b", on=on, default=Decimal("0"))
    # What has run up to the letter's date: claimed on a formal notice, told on a reminder.
    accrued = reminder.interest
    if business and not accrued and invoice.overdue_since:
        accrued = calc.late_interest_by_period(
            amount=reminder.amount_due,
            rates=_history(country, "late_interest_rate_b2b"),
            since=invoice.overdue_since,
            until=on,
        )
    return {
        "reminder": reminder,
        "invoice": invoice,
        "s": snapshot,
        "is_formal_notice": reminder.kind == "formal_notice",
        "title": _("Formal notice") if reminder.kind == "formal_notice" else _("Payment reminder"),
        "sent_on": _short(on),
        "issue_date": _short(snapshot["issue_date"]),
        "due_date": _short(snapshot["due_date"]),
        "amount_due": format_money(reminder.amount_due, currency),
        "interest": format_money(reminder.interest, currency) if reminder.interest else "",
        "fixed_costs": format_money(reminder.fixed_costs, currency) if reminder.fixed_costs else "",
        "claimed": format_money(claimed, currency),
        "rate": format_percent(rate),
        **issuer_identity(invoice.entity, on=on),
        "legal": reminder_paragraphs(
            keys.get("business" if business else "consumer", ""),
            level=level,
            rate=rate,
            interest=accrued,
            indemnity=indemnity,
            damages=calc.consumer_damages_cap(reminder.amount_due, brackets=brackets),
            costs=reminder.fixed_costs,
        ),
        **payment_reference_context(snapshot),
        "qr": epc_qr_svg_data_uri(snapshot, claimed, raster=True),
        "link": link,
    }


def reminder_subject(context: dict) -> str:
    if context["is_formal_notice"]:
        return _("Formal notice: invoice %(ref)s") % {"ref": context["invoice"].reference}
    return _("Reminder: invoice %(ref)s") % {"ref": context["invoice"].reference}


def reminder_email_body(context: dict) -> str:
    return render_to_string("invoicing/email/reminder.txt", context)


def reminder_letter_pdf(context: dict) -> bytes:
    return render_pdf(render_to_string("invoicing/pdf/reminder.html", context))


def reminder_documents(reminder, *, link: str) -> tuple[str, str, bytes]:
    """Subject, e-mail body and PDF letter of a reminder, in the client's language."""
    with translation.override(client_language(reminder.invoice.snapshot)):
        context = reminder_context(reminder, link=link)
        return reminder_subject(context), reminder_email_body(context), reminder_letter_pdf(context)
