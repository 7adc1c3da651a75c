"""Local development (`make run`): debug on, mail to the local inbox, a fixed dev secret."""

import os

from .environment import DEV_FIELD_ENCRYPTION_KEY

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
os.environ.setdefault("SMARTCOOP_FIELD_ENCRYPTION_KEYS", DEV_FIELD_ENCRYPTION_KEY)
os.environ.setdefault("SMARTCOOP_DEV_INBOX_DIR", os.path.join(os.getcwd(), ".run", "mail"))

from .base import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "smartcoop.core.mail.DevInboxBackend"}}
ALLOWED_HOSTS = ["*"]
