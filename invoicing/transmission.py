"""How issued documents leave the platform: e-mail to the client, and Peppol through an access
point. The access point is pluggable (setting INVOICING_PEPPOL_ADAPTER, a dotted path):

- `invoicing.transmission.OutboxAdapter` (default, used by tests and `make run`) writes each UBL
  document to the folder INVOICING_PEPPOL_OUTBOX, named by the idempotency key, so a retry
  overwrites rather than duplicates.
- A real access point implements `send(*, idempotency_key, sender, receiver, document) -> str`
  (returning the access point's message id), raising `TransientSendError` for what may succeed
  later (timeouts, 5xx, rate limits) and `PermanentSendError` for what never will (unknown
  receiver, rejected document). It must pass the idempotency key to the provider so that a send
  retried after a crash is not delivered twice.

Transmissions follow PENDING → IN_FLIGHT → DELIVERED / FAILED (models.Transmission); transient
errors go back to PENDING with an exponential backoff; a sweeper (beat) re-queues stuck rows.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from smartcoop.core.validators import single_line


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


class OutboxAdapter:
    def __init__(self, folder: str | None = None) -> None:
        self.folder = Path(
            folder
            or getattr(settings, "INVOICING_PEPPOL_OUTBOX", "")
            or os.path.join(settings.BASE_DIR, ".run", "peppol-outbox")
        )

    def send(self, *, idempotency_key: str, sender: str, receiver: str, document: bytes) -> str:
        if not receiver:
            raise PermanentSendError("no Peppol receiver")
        self.folder.mkdir(parents=True, exist_ok=True)
        name = idempotency_key.replace(":", "_") + ".xml"
        tmp = self.folder / (name + ".tmp")
        tmp.write_bytes(document)
        tmp.replace(self.folder / name)
        return name


def peppol_adapter():
    path = getattr(settings, "INVOICING_PEPPOL_ADAPTER", "invoicing.transmission.OutboxAdapter")
    return import_string(path)()


def client_language(language: str) -> str:
    """The client's language if the deployment speaks it, else the deployment's."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def send_quote_email(*, quote, link: str) -> None:
    """The quote's link to the client, subject and body in the client's language."""
    with translation.override(client_language(quote.client.language)):
        # One line whatever older rows hold: a line break in a header refuses the e-mail.
        subject = single_line(
            _("Quote from %(issuer)s: %(title)s")
            % {"issuer": quote.entity.name, "title": quote.title}
        )
        body = render_to_string("invoicing/email/quote.txt", {"quote": quote, "link": link})
    EmailMessage(subject, body, to=[quote.client.email]).send()


def send_invoice_email(*, invoice, link: str) -> None:
    """The document to the client: PDF (+ UBL) attached, with the payment link."""
    snapshot = invoice.snapshot
    with translation.override(client_language(snapshot["client"].get("language", ""))):
        subject = (
            _("Credit note %(ref)s from %(issuer)s")
            if invoice.is_credit_note
            else _("Invoice %(ref)s from %(issuer)s")
        ) % {"ref": invoice.reference, "issuer": single_line(snapshot["issuer"]["name"])}
        body = render_to_string(
            "invoicing/email/invoice.txt", {"invoice": invoice, "s": snapshot, "link": link}
        )
    message = EmailMessage(subject, body, to=[snapshot["client"]["email"]])
    if invoice.pdf:
        invoice.pdf.open("rb")
        message.attach(f"{invoice.reference}.pdf", invoice.pdf.read(), "application/pdf")
        invoice.pdf.close()
    if invoice.ubl:
        invoice.ubl.open("rb")
        message.attach(f"{invoice.reference}.xml", invoice.ubl.read(), "application/xml")
        invoice.ubl.close()
    message.send()
