"""Test settings: the real PostgreSQL and Redis given by scripts/services.py, fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "y" * 40)
os.environ.setdefault(
    "SMARTCOOP_FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LXRlc3Q="
)

from .base import *  # noqa: F403

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
