"""Online payment providers (Mollie, Stripe Checkout…) behind one small interface.

Set INVOICING_ONLINE_PAYMENT_PROVIDER to a dotted path of a class implementing
`checkout_url(*, invoice, amount, return_url) -> str` (create a checkout at the provider with the
invoice's public id as metadata and return where to send the client). The provider's webhook
then calls `services.payment_record(..., source=Payment.Source.ONLINE)`. Empty (the default):
no online payment is offered, and nothing in tests or `make run` needs the internet.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PaymentProvider(Protocol):
    def checkout_url(self, *, invoice, amount: Decimal, return_url: str) -> str: ...


def online_payment_provider() -> PaymentProvider | None:
    path = getattr(settings, "INVOICING_ONLINE_PAYMENT_PROVIDER", "")
    return import_string(path)() if path else None


class FakeProvider:
    """For local demos and tests: 'pays' by returning to the page with a marker."""

    def checkout_url(self, *, invoice, amount: Decimal, return_url: str) -> str:
        return f"{return_url.rsplit('online/', 1)[0]}?checkout=fake&amount={amount}"
