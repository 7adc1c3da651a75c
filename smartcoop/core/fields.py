"""Encrypted fields for national numbers and IBANs: Fernet at rest, keys from the environment
(SMARTCOOP_FIELD_ENCRYPTION_KEYS, newest first, so keys can be rotated), plus a keyed hash (the
blind index) so duplicates can be found without decrypting.

Rotation: put a new key first and keep the old ones. New values are encrypted and indexed with the
new key; old values still decrypt, and a duplicate lookup compares the value's index under every
configured key (`blind_indexes`), so a national number registered before the rotation is still
found. `manage.py reencrypt_fields` then rewrites every value and index with the newest key, after
which the old key can be dropped."""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


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


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def _index_with(key: str, value: str) -> str:
    normalised = "".join(ch for ch in value.upper() if ch.isalnum())
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """A keyed hash of a normalised identifier (newest key): equal values give equal indexes.
    Store this one."""
    keys = settings.FIELD_ENCRYPTION_KEYS
    return _index_with(keys[0] if keys else "", value)


def blind_indexes(value: str) -> list[str]:
    """The value's index under every configured key, newest first. Look duplicates up with
    `<field>_index__in=blind_indexes(value)`: rows indexed before a key rotation match too."""
    return [_index_with(key, value) for key in settings.FIELD_ENCRYPTION_KEYS or [""]]


def is_encrypted(value: str) -> bool:
    """Whether a stored value is already a token of one of our keys (for data migrations that
    encrypt plain columns and must be rerunnable)."""
    from cryptography.fernet import InvalidToken

    try:
        _fernet().decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True


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
