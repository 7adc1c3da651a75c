"""Production: everything from the environment; refuses to start without the secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, FIELD_ENCRYPTION_KEYS

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false in production.")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "SMARTCOOP_FIELD_ENCRYPTION_KEYS is not set: expected one or more Fernet keys, comma-separated "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
