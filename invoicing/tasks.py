"""Thin Celery tasks: take ids, reload, re-check state, call a service or a renderer."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from smartcoop.core.tasks import SmartcoopTask, in_each_entity
from smartcoop.core.validators import single_line
from smartcoop.countries import param

logger = logging.getLogger(__name__)

# Values of the packs' dated `einvoice_format` parameter.
PEPPOL_BIS = "peppol-bis-3"
FACTURX = "factur-x-en16931"


def _einvoice_format(snapshot: dict) -> str | None:
    """The structured e-invoice format of the issuer's country on the issue date (the pack's
    dated `einvoice_format`), None where the pack has none then."""
    country = (snapshot["issuer"].get("country") or "").lower()
    on = date.fromisoformat(snapshot["issue_date"])
    return param(f"{country}.einvoice_format", on=on, default=None)


class DocumentTaskFailed(Exception):
    """A task failed on one document; the message names it, so the failure on the health page
    (TaskFailure) says which invoice or reminder to look at."""


@contextmanager
def _naming(document: str) -> Iterator[None]:
    """Re-raise a permanent error with `document` named; transient ones (database, broker,
    network) keep their type so the task retries them."""
    try:
        yield
    except SmartcoopTask.autoretry_for:
        raise
    except Exception as exc:
        raise DocumentTaskFailed(f"{document}: {type(exc).__name__}: {exc}") from exc


def _visual_copy(snapshot: dict) -> bool:
    """Domestic B2B where the pack's e-invoice is a Peppol UBL file (Belgium since 1 Jan 2026):
    that file is the legal original, and the PDF says it is a visual copy."""
    return (
        _einvoice_format(snapshot) == PEPPOL_BIS
        and snapshot["client"]["country"] == snapshot["issuer"]["country"]
        and snapshot["client"]["kind"] == "company"
    )


def invoice_documents_build(invoice) -> tuple[bytes, bytes | None]:
    from .documents.pdf import invoice_html, render_pdf
    from .documents.ubl import UblUnavailable, build_ubl

    snapshot = invoice.snapshot
    html = invoice_html(snapshot, visual_copy=_visual_copy(snapshot))
    if _einvoice_format(snapshot) == FACTURX:  # the PDF itself carries the e-invoice (France)
        from .documents.facturx import facturx_pdf

        # Factur-X is a PDF/A-3B with the XML inside.
        pdf = facturx_pdf(render_pdf(html, variant="pdf/a-3b"), snapshot)
    else:
        pdf = render_pdf(html)
    try:
        ubl = build_ubl(snapshot)
    except UblUnavailable:
        ubl = None
    return pdf, ubl


@shared_task(base=SmartcoopTask, name="invoicing.render_documents", ignore_result=True)
def invoice_render_documents(invoice_id: int, send: bool = False, *, entity_id: int) -> None:
    """PDF and UBL of an issued document, stored with their SHA-256; then the sends."""
    from .models import Client, Invoice, Transmission
    from .services import transmission_create
    from .services._shared import _tell_coordinator

    invoice = Invoice.objects.filter(pk=invoice_id, number__isnull=False).first()
    if invoice is None:
        return
    if not invoice.pdf:
        with _naming(f"{invoice.get_kind_display()} {invoice.reference} ({invoice.public_id})"):
            pdf, ubl = invoice_documents_build(invoice)  # outside any transaction
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice_id)
            if not locked.pdf:
                locked.pdf.save(f"{locked.reference}.pdf", ContentFile(pdf), save=False)
                locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
                fields = ["pdf", "pdf_sha256", "updated_at"]
                if ubl is not None:
                    locked.ubl.save(f"{locked.reference}.xml", ContentFile(ubl), save=False)
                    locked.ubl_sha256 = hashlib.sha256(ubl).hexdigest()
                    fields += ["ubl", "ubl_sha256"]
                locked.save(update_fields=fields)
                _tell_coordinator(invoice=locked, kind="invoicing.documents_ready", params={})
            invoice = locked
    if not send:
        return
    with transaction.atomic():
        client = invoice.snapshot["client"]
        if client.get("email"):
            transmission_create(invoice=invoice, channel=Transmission.Channel.EMAIL)
        if invoice.ubl and client.get("peppol_id") and client.get("kind") == Client.Kind.COMPANY:
            transmission_create(invoice=invoice, channel=Transmission.Channel.PEPPOL)


@shared_task(base=SmartcoopTask, name="invoicing.transmission_process", ignore_result=True)
def transmission_process(transmission_id: int, *, entity_id: int) -> None:
    from .documents.ubl import enterprise_number_scheme
    from .models import Transmission
    from .services import payment_link_url, transmission_claim, transmission_finish
    from .transmission import (
        PermanentSendError,
        TransientSendError,
        peppol_adapter,
        send_invoice_email,
    )

    row = transmission_claim(transmission_id=transmission_id)
    if row is None:
        return
    invoice = row.invoice
    try:
        if row.channel == Transmission.Channel.EMAIL:
            if not invoice.pdf:
                raise TransientSendError("the PDF is not rendered yet")
            send_invoice_email(invoice=invoice, link=payment_link_url(invoice=invoice))
            external = ""
        else:
            invoice.ubl.open("rb")
            document = invoice.ubl.read()
            invoice.ubl.close()
            client = invoice.snapshot["client"]
            external = peppol_adapter().send(
                idempotency_key=row.idempotency_key,
                sender=(
                    f"{enterprise_number_scheme(invoice.snapshot['issuer']['country'])}:"
                    f"{invoice.snapshot['issuer']['enterprise_number']}"
                ),
                receiver=f"{client['peppol_scheme']}:{client['peppol_id']}",
                document=document,
            )
    except (TransientSendError, TimeoutError, ConnectionError) as exc:
        transmission_finish(transmission=row, ok=False, error=str(exc), transient=True)
        return
    except (PermanentSendError, OSError, ValueError) as exc:
        transmission_finish(transmission=row, ok=False, error=str(exc))
        return
    transmission_finish(transmission=row, ok=True, external_id=external)


@shared_task(
    base=SmartcoopTask,
    name="invoicing.transmissions_sweep",
    ignore_result=True,
    without_entity="beat sweep over every entity, one scope per entity",
)
def transmissions_sweep_task() -> int:
    from .services import transmissions_sweep

    return in_each_entity(lambda entity: transmissions_sweep())


@shared_task(
    base=SmartcoopTask,
    name="invoicing.reminders_daily",
    ignore_result=True,
    without_entity="beat sweep over every entity, one scope per entity",
)
def reminders_daily(on: str | None = None) -> int:
    from .services import reminders_run

    day = date.fromisoformat(on) if on else timezone.localdate()
    return in_each_entity(lambda entity: reminders_run(on=day))


@shared_task(base=SmartcoopTask, name="invoicing.reminder_send", ignore_result=True)
def reminder_send(reminder_id: int, *, entity_id: int) -> None:
    """Render and keep the reminder letter (PDF + SHA-256), then e-mail it once with the payment
    link: the emailed_at flag is set under lock. Without an e-mail address the letter waits on
    the invoice page for staff to post it."""
    from django.core.mail import EmailMessage

    from .documents.reminder_letter import reminder_documents
    from .models import Reminder
    from .services import payment_link_url

    reminder = Reminder.objects.filter(pk=reminder_id).select_related("invoice").first()
    if reminder is None or (reminder.letter and (reminder.emailed_at or reminder.by_post)):
        return
    with _naming(f"reminder {reminder.step} of invoice {reminder.invoice.reference}"):
        subject, body, letter = reminder_documents(
            reminder, link=payment_link_url(invoice=reminder.invoice)
        )
        subject = single_line(subject)
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder_id)
            .select_related("invoice")
            .first()
        )
        if reminder is None:
            return
        invoice = reminder.invoice
        name = f"{invoice.reference}-reminder-{reminder.step}.pdf"
        if not reminder.letter:
            reminder.letter.save(name, ContentFile(letter), save=False)
            reminder.letter_sha256 = hashlib.sha256(letter).hexdigest()
            reminder.save(update_fields=["letter", "letter_sha256", "updated_at"])
        address = invoice.snapshot["client"].get("email")
        if not address or reminder.emailed_at is not None:
            return
        message = EmailMessage(subject, body, to=[address])
        message.attach(name, reminder.letter.open("rb").read(), "application/pdf")
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["emailed_at", "updated_at"])
        # Sending inside the lock is deliberate: the flag and the send succeed or fail together
        # (a crash after send and before commit may resend once; never zero times).
        message.send()


@shared_task(base=SmartcoopTask, name="invoicing.client_message_notify", ignore_result=True)
def client_message_notify(message_id: int, *, entity_id: int) -> None:
    """Tell customer service (the entity's address) about a client's question or dispute, in
    the entity's language, with the invoice's back-office page; replying answers the client."""
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .models import ClientMessage
    from .transmission import client_language

    item = ClientMessage.objects.filter(pk=message_id).select_related("invoice", "entity").first()
    if item is None or not item.entity.email:
        return
    facts = {"ref": item.invoice.reference, "name": item.name, "email": item.email}
    page = settings.SITE_URL + reverse("invoicing:staff_invoice", args=[item.invoice.public_id])
    with translation.override(client_language(item.entity.default_language)):
        subject = (
            _("Dispute about %(ref)s from %(name)s")
            if item.is_dispute
            else _("Question about %(ref)s from %(name)s")
        ) % facts
        # One line whatever the row holds: a line break in a header refuses the whole e-mail.
        subject = single_line(subject)
        body = "\n\n".join(
            [
                _("%(name)s <%(email)s> wrote about invoice %(ref)s:") % facts,
                item.message,
                (
                    _("Reminders are paused until the dispute is answered on the invoice page:")
                    if item.is_dispute
                    else _("The invoice in the back-office:")
                )
                + "\n"
                + page,
            ]
        )
    EmailMessage(subject, body, to=[item.entity.email], reply_to=[item.email]).send()
