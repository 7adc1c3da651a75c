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
