"""Test settings: the real PostgreSQL and Redis given by scripts/services.py, fast hashing."""

import os

from .environment import TEST_FIELD_ENCRYPTION_KEY

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "y" * 40)
os.environ.setdefault("SMARTCOOP_FIELD_ENCRYPTION_KEYS", TEST_FIELD_ENCRYPTION_KEY)

# The pure tests (calculations, country packs) run bare, without PostgreSQL or Redis:
# `.venv/bin/pytest tests/activities/test_calculations.py`. Every other test needs the services
# scripts/services.py starts; without them tests/conftest.py fails each such test saying so. The
# placeholders below only let Django start: nothing listens on port 1.
TEST_SERVICES = bool(os.environ.get("DATABASE_URL") and os.environ.get("CELERY_BROKER_URL"))
if not TEST_SERVICES:
    os.environ.setdefault("DATABASE_URL", "postgres://database-url-not-set@127.0.0.1:1/smartcoop")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test run has its own Valkey (scripts/services.py), so one fixed prefix is shared by the
# test process and the real Celery worker it starts.
CACHES["default"]["KEY_PREFIX"] = "test"  # noqa: F405
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "signup": "1000/m/ip", "login": "1000/m/ip"}  # noqa: F405
# The live server of the browser journeys speaks plain http on localhost.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
