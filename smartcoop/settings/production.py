"""Production: everything from the environment; refuses to start without real secrets, and is
secure by default (HTTPS redirect, HSTS, secure cookies) unless a variable turns a part off."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG
from .environment import boolean, env, field_encryption_keys, production_secret_key

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false in production.")

SECRET_KEY = production_secret_key()
FIELD_ENCRYPTION_KEYS = field_encryption_keys()

# HTTPS only: plain http is redirected and browsers are told to remember it (one year). Turn off
# explicitly (DJANGO_SECURE_SSL_REDIRECT=false, DJANGO_SECURE_HSTS_SECONDS=0) only where TLS ends
# elsewhere and that proxy redirects and sends HSTS itself.
SECURE_SSL_REDIRECT = boolean("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = boolean("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = boolean("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a commitment of the whole domain to the browsers' built-in list, which only
    # the domain's owner can make: opt in with DJANGO_SECURE_HSTS_PRELOAD=true.
    "security.W021",
]
