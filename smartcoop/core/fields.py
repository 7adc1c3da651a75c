"""Encrypted fields for national numbers and IBANs: Fernet at rest, keys from the environment
(SMARTCOOP_FIELD_ENCRYPTION_KEYS, newest first, so keys can be rotated), plus a keyed hash so
duplicates can be found without decrypting."""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@functools.cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            "SMARTCOOP_FIELD_ENCRYPTION_KEYS is not set: expected one or more Fernet keys."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"SMARTCOOP_FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}"
        ) from None


def blind_index(value: str) -> str:
    """A keyed hash of a normalised identifier: equal values give equal indexes."""
    key = settings.FIELD_ENCRYPTION_KEYS[0].encode() if settings.FIELD_ENCRYPTION_KEYS else b""
    normalised = "".join(ch for ch in value.upper() if ch.isalnum())
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores the value encrypted; reads it back in clear. Not searchable: use blind_index."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return _fernet().decrypt(value.encode()).decode()

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return _fernet().encrypt(str(value).encode()).decode()
