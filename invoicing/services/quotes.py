"""Quotes: creation, the client's link, sending, the client's decision, the invoice of an
accepted quote."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Activity
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import ApplicationError, Conflict, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.validators import check_texts

from .. import calculations as calc
from ..models import Client, Invoice, Quote
from ..vat import vat_texts
from ._shared import _param
from .invoices import LineData, _check_totals_fit, _clean_lines, invoice_draft_save
from .payments import DeadLink, link_dead_end

QUOTE_SALT = "invoicing.quote-link"


def quote_create(
    *,
    actor: User | None,
    activity: Activity,
    client: Client,
    title: str,
    lines: Sequence[LineData | dict],
    valid_days: int = 30,
) -> Quote:
    """A draft quote. Totals use the same VAT decision and rounding as invoices."""
    if client.entity_id != activity.entity_id:
        raise ValidationFailed(_("This client belongs to another entity."), field="client")
    check_texts(title=title)
    if not 1 <= valid_days <= 365:
        raise ValidationFailed(
            _("A quote is valid for 1 to %(max)s days.") % {"max": 365}, field="valid_days"
        )
    cleaned = _clean_lines(lines)
    try:
        decision = calc.vat_decide(
            supplier_country=activity.entity.country,
            client_is_business=client.is_business,
            client_country=client.country,
            client_vat_number=client.vat_number,
            lines_exempt=all(line.vat_rate_code == "exempt" for line in cleaned),
            texts=vat_texts(activity.entity.country),
        )
    except calc.VatRuleError as exc:
        raise ValidationFailed(str(exc), code="vat_rule", field=exc.field) from None
    today = timezone.localdate()
    rates = _param(activity.entity, "vat_rates", on=today)
    inputs = []
    for line in cleaned:
        category, rate = calc.line_vat(
            decision_category=decision.category, rate_code=line.vat_rate_code, rates=rates
        )
        inputs.append(calc.LineInput(line.quantity, line.unit_price, category, rate))
    totals = calc.compute_totals(inputs)
    _check_totals_fit(totals)
    with transaction.atomic():
        quote = Quote.objects.create(
            entity_id=activity.entity_id,
            activity=activity,
            client=client,
            title=title.strip() or _("Quote"),
            lines=[
                {
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit": line.unit,
                    "unit_price": str(line.unit_price),
                    "vat_rate_code": line.vat_rate_code,
                    "line_total": str(amount),
                }
                for line, amount in zip(cleaned, totals.line_totals, strict=True)
            ],
            total_excl_vat=totals.total_excl_vat,
            total_incl_vat=totals.total_incl_vat,
            valid_until=today + timedelta(days=valid_days),
            created_by=actor,
        )
        audit_log(actor=actor, action="invoicing.quote.created", target=quote)
    return quote


def quote_link_token(*, quote: Quote) -> str:
    return signing.dumps([str(quote.public_id), quote.link_key], salt=QUOTE_SALT)


def quote_link_resolve(*, token: str) -> Quote | None:
    try:
        public_id, link_key = signing.loads(token, salt=QUOTE_SALT, max_age=60 * 60 * 24 * 400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Quote.objects.filter(public_id=public_id, link_key=link_key)
        .exclude(status=Quote.Status.DRAFT)
        .select_related("client", "entity", "activity")
        .first()
    )


def quote_link_dead_end(*, token: str) -> DeadLink | None:
    return link_dead_end(
        token=token, salt=QUOTE_SALT, rows=Quote.objects.exclude(status=Quote.Status.DRAFT)
    )


def quote_send(*, quote: Quote, actor: User | None) -> Quote:
    """E-mail the client the link, then mark the quote sent: a quote whose e-mail could not be
    sent stays as it was (the error says why) and can be sent again."""
    from django.urls import reverse

    from ..transmission import send_quote_email

    quote = Quote.objects.select_related("client", "entity").get(pk=quote.pk)
    if not quote.can("send"):
        raise Conflict(_("This quote was already decided."))
    if quote.client.email:
        link = settings.SITE_URL + reverse(
            "invoicing:quote_public", kwargs={"token": quote_link_token(quote=quote)}
        )
        try:
            send_quote_email(quote=quote, link=link)
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            raise ApplicationError(
                _(
                    "The e-mail to the client could not be sent (%(reason)s): the quote is not "
                    "marked sent. Try again later."
                )
                % {"reason": type(exc).__name__},
                code="email_not_sent",
            ) from None
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if not quote.can("send"):
            raise Conflict(_("This quote was already decided."))
        quote.status = Quote.Status.SENT
        quote.sent_at = timezone.now()
        quote.save(update_fields=["status", "sent_at", "updated_at"])
        audit_log(actor=actor, action="invoicing.quote.sent", target=quote)
    return quote


def quote_decide(*, quote: Quote, accept: bool, name: str) -> Quote:
    """The client accepts (name and time recorded) or refuses a sent, still valid quote."""
    if accept and not name.strip():
        raise ValidationFailed(_("Type your name to accept."), field="name")
    check_texts(name=name)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if not quote.can("decide"):
            raise Conflict(_("This quote was already answered."))
        if quote.valid_until < timezone.localdate():
            raise Conflict(_("This quote has expired. Ask for a new one."))
        quote.status = Quote.Status.ACCEPTED if accept else Quote.Status.REFUSED
        quote.decided_at = timezone.now()
        quote.decided_by_name = name.strip()[:200]
        quote.save(update_fields=["status", "decided_at", "decided_by_name", "updated_at"])
        audit_log(
            actor=None,
            action=f"invoicing.quote.{quote.status}",
            target=quote,
            data={"name": quote.decided_by_name},
        )
    return quote


def quote_to_invoice(*, quote: Quote, actor: User | None) -> Invoice:
    """The draft invoice of an accepted quote (once)."""
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if not quote.can("invoice"):
            raise Conflict(_("Only an accepted quote becomes an invoice."))
        invoice = invoice_draft_save(
            actor=actor,
            activity=quote.activity,
            client=quote.client,
            lines=[
                LineData(
                    line["description"],
                    Decimal(line["quantity"]),
                    Decimal(line["unit_price"]),
                    line["unit"],
                    line["vat_rate_code"],
                )
                for line in quote.lines
            ],
            note=_("Quote accepted by %(name)s on %(date)s.")
            % {
                "name": quote.decided_by_name,
                "date": date_format(
                    (quote.decided_at or timezone.now()).date(), "SHORT_DATE_FORMAT"
                ),
            },
        )
        quote.status = Quote.Status.INVOICED
        quote.invoice = invoice
        quote.save(update_fields=["status", "invoice", "updated_at"])
        audit_log(actor=actor, action="invoicing.quote.invoiced", target=quote)
    return invoice
