"""Reading settings from the environment, failing early with a message that names the variable."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def required(name: str, expected: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: expected {expected}.")
    return value


def boolean(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: expected true or false.")


def database_config(name: str = "DATABASE_URL") -> dict:
    url = required(
        name, "a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/smartcoop"
    )
    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} uses {scheme!r}: smartcoop runs on PostgreSQL only "
            "(expected postgres://user:password@host:port/database)."
        )
    config = env.db_url_config(url)
    # A unix-socket folder is written URL-encoded in the host part (postgres://u@%2Ftmp%2Fpg/db).
    config["HOST"] = unquote(config.get("HOST") or "")
    config["ENGINE"] = "django.db.backends.postgresql"
    config.setdefault("CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


def broker_url(name: str = "CELERY_BROKER_URL") -> str:
    url = required(name, "a Redis URL such as redis://127.0.0.1:6379/0")
    if urlparse(url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL, got {url!r}.")
    return url


# The fixed keys of `make run` and of the tests: public (they are in this repository), so a
# production start refuses them.
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHkta2V5LWRldi1vbmx5LWtleS1kZXYtMDA="
TEST_FIELD_ENCRYPTION_KEY = "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LXRlc3Q="
GENERATE_FERNET_KEY = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def field_encryption_keys(name: str = "SMARTCOOP_FIELD_ENCRYPTION_KEYS") -> list[str]:
    """The Fernet keys, newest first, each one checked: a placeholder, a malformed key or a key
    published in this repository stops start-up with the variable and the remedy named."""
    import base64
    import binascii

    keys = [key.strip() for key in os.environ.get(name, "").split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(
            f"{name} is not set: expected one or more Fernet keys, comma-separated, newest "
            f"first (generate one with {GENERATE_FERNET_KEY})."
        )
    for position, key in enumerate(keys, start=1):
        if key in (DEV_FIELD_ENCRYPTION_KEY, TEST_FIELD_ENCRYPTION_KEY):
            raise ImproperlyConfigured(
                f"{name}: key {position} is the development/test key published in the "
                f"repository; generate a key of your own with {GENERATE_FERNET_KEY}."
            )
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: key {position} ({key[:12]}…) is not a Fernet key (32 url-safe "
                f"base64-encoded bytes); generate one with {GENERATE_FERNET_KEY}."
            )
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"{name} lists the same key twice.")
    return keys


# Values left from `.env.example` that must never reach a production start.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "generate-with", "example-secret")


def production_secret_key(name: str = "DJANGO_SECRET_KEY") -> str:
    value = required(name, "a long random string")
    if any(marker in value.lower() for marker in PLACEHOLDER_MARKERS) or len(set(value)) < 5:
        raise ImproperlyConfigured(
            f"{name} is still the placeholder of .env.example: set a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if len(value) < 50:
        raise ImproperlyConfigured(f"{name} is too short: expected at least 50 characters.")
    return value
