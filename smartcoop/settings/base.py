"""Settings shared by every environment. Everything that differs between deployments comes from
environment variables (see README, "Configuration")."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .environment import boolean, broker_url, database_config, env, required

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Country deployment -------------------------------------------------------------------------
SMARTCOOP_COUNTRY = os.environ.get("SMARTCOOP_COUNTRY", "BE").strip().upper()
# Imported lazily by the packs registry; validated here so a typo stops start-up at once.
from smartcoop.countries.registry import available_countries, load_pack  # noqa: E402

if SMARTCOOP_COUNTRY not in available_countries():
    raise ImproperlyConfigured(
        f"SMARTCOOP_COUNTRY={SMARTCOOP_COUNTRY!r} is not a known country pack: expected one of "
        f"{', '.join(sorted(available_countries()))}."
    )
COUNTRY_PACK = load_pack(SMARTCOOP_COUNTRY)

# --- Core ---------------------------------------------------------------------------------------
DEBUG = boolean("DJANGO_DEBUG", False)
SECRET_KEY = required(
    "DJANGO_SECRET_KEY",
    "a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = os.environ.get("SMARTCOOP_SITE_URL", "http://localhost:8000").rstrip("/")
# Social declarations' web services: credentials by name (a JSON object, e.g.
# {"onss-smartcoop": "token"}), referred to by each entity's channel setting, never stored in the
# database. Backoff: seconds before the first retry of a web-service call, doubled each time.
SMARTCOOP_DECLARATION_CREDENTIALS = json.loads(
    os.environ.get("SMARTCOOP_DECLARATION_CREDENTIALS", "{}") or "{}"
)
# The sender's phone number in the yearly Belcotax file (the FPS requires one).
SMARTCOOP_DECLARATION_CONTACT_PHONE = os.environ.get("SMARTCOOP_DECLARATION_CONTACT_PHONE", "")
SMARTCOOP_DECLARATION_BACKOFF_SECONDS = float(
    os.environ.get("SMARTCOOP_DECLARATION_BACKOFF_SECONDS", "2")
)


def _positive(name: str, default: str) -> float:
    raw = os.environ.get(name, "").strip() or default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a positive number (default {default}).")
    return value


# Declarations sent by a web service and not answered yet are asked again by the beat sweep
# `declarations.tasks.poll_sent_declarations`, which runs every POLL_EVERY seconds: the first
# time POLL_FIRST seconds after sending, then each wait POLL_FACTOR times the previous one, at
# most POLL_MAX seconds; once POLL_GIVE_UP hours have passed since sending it stops asking and
# flags the declaration "no answer" on the staff queue (docs/declarations.md, "Channels").
SMARTCOOP_DECLARATION_POLL_EVERY_SECONDS = _positive(
    "SMARTCOOP_DECLARATION_POLL_EVERY_SECONDS", "60"
)
SMARTCOOP_DECLARATION_POLL_FIRST_SECONDS = _positive(
    "SMARTCOOP_DECLARATION_POLL_FIRST_SECONDS", "60"
)
SMARTCOOP_DECLARATION_POLL_FACTOR = _positive("SMARTCOOP_DECLARATION_POLL_FACTOR", "2")
SMARTCOOP_DECLARATION_POLL_MAX_SECONDS = _positive("SMARTCOOP_DECLARATION_POLL_MAX_SECONDS", "1800")
SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS = _positive(
    "SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS", "24"
)
# At most this many declarations asked per entity and sweep (the oldest checks first).
SMARTCOOP_DECLARATION_POLL_BATCH = int(_positive("SMARTCOOP_DECLARATION_POLL_BATCH", "500"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "smartcoop.core",
    "members",
    "activities",
    "invoicing",
    "payroll",
    "declarations",
    "governance",
    "keyfigures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "smartcoop.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "smartcoop.core.middleware.StaffMfaRequiredMiddleware",
    "smartcoop.core.middleware.EntityScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "smartcoop.core.middleware.ApiErrorMiddleware",
]

ROOT_URLCONF = "smartcoop.urls"
WSGI_APPLICATION = "smartcoop.wsgi.application"
AUTH_USER_MODEL = "core.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartcoop.core.context_processors.platform",
            ],
        },
    },
]

DATABASES = {"default": database_config()}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Languages, dates, numbers ------------------------------------------------------------------
ALL_LANGUAGES = {
    "nl": _("Dutch"),
    "fr": _("French"),
    "en": _("English"),
    "de": _("German"),
    "es": _("Spanish"),
    "it": _("Italian"),
    "sv": _("Swedish"),
}
LANGUAGES = [(code, ALL_LANGUAGES.get(code, code)) for code in COUNTRY_PACK.languages]
LANGUAGE_CODE = COUNTRY_PACK.languages[0]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["smartcoop.formats"]
TIME_ZONE = COUNTRY_PACK.timezone
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "smartcoop_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("SMARTCOOP_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind the TLS proxy (and only then) two headers it sets are trusted: X-Forwarded-Proto for
# "is this https", and the right-most X-Forwarded-For entry as the client's address (rate limits,
# see core.http.client_ip). The proxy must overwrite or append to them, never pass them through.
BEHIND_TLS_PROXY = boolean("DJANGO_BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_TLS_PROXY else 0
SECURE_SSL_REDIRECT = boolean("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = boolean("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = boolean("DJANGO_SECURE_HSTS_PRELOAD", False)
# Content-Security-Policy: scripts and stylesheets from our own origin only (no inline script,
# no inline style attribute; the rare <style>/<script> element carries the request's nonce),
# no plug-ins, no framing, forms post to ourselves. Images may be data: URIs (QR codes, icons
# of the API docs).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Powerful browser features no page uses, switched off (core.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Field-level encryption of national numbers and IBANs (Fernet keys, newest first).
FIELD_ENCRYPTION_KEYS = env.list("SMARTCOOP_FIELD_ENCRYPTION_KEYS", default=[])

# --- Cache (rate limits of allauth and the client pages live here) ------------------------------
REDIS_URL = os.environ.get("REDIS_URL") or broker_url().rsplit("/", 1)[0] + "/2"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"smartcoop-{SMARTCOOP_COUNTRY.lower()}",
    }
}

# --- Accounts (django-allauth) ------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/5m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_ADAPTER = "smartcoop.core.accounts.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[smartcoop] "
LOGIN_REDIRECT_URL = "core:home"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = f"smartcoop {SMARTCOOP_COUNTRY}"

# --- E-mail -------------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="smtp://localhost:25")
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            key: _email[setting]
            for key, setting in (
                ("host", "EMAIL_HOST"),
                ("port", "EMAIL_PORT"),
                ("username", "EMAIL_HOST_USER"),
                ("password", "EMAIL_HOST_PASSWORD"),
                ("use_tls", "EMAIL_USE_TLS"),
                ("use_ssl", "EMAIL_USE_SSL"),
            )
            if _email.get(setting) not in (None, "")
        }
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "smartcoop <no-reply@smartcoop.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The local inbox (`make run`): messages written as .eml files and shown at /dev/inbox/.
DEV_INBOX_DIR = os.environ.get("SMARTCOOP_DEV_INBOX_DIR", "")

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "smartcoop.core.authentication.ScopedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "smartcoop.core.api.SmartcoopAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "smartcoop.core.api.exception_handler",
    # DRF's throttles count the same address as the rest (see BEHIND_TLS_PROXY above).
    "NUM_PROXIES": 1 if BEHIND_TLS_PROXY else 0,
    "DEFAULT_THROTTLE_RATES": {"client_link": "60/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "smartcoop API",
    "DESCRIPTION": "Members, Activities, invoicing and payroll of a shared-enterprise cooperative.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from our own static files (drf-spectacular-sidecar), never
    # from a CDN: it works offline and under the Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = broker_url()
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
# The beat schedule is code: each entry names the task and why it runs when it does.
# Workers per compute task of a pay run (payroll/runs): more, smaller tasks spread a run over
# more worker processes; a killed worker loses at most one task, finished by the resume sweep.
PAYROLL_RUN_CHUNK = int(os.environ.get("PAYROLL_RUN_CHUNK", "200"))
# Payslip PDFs one render task makes (payroll.runs.render_chunk).
PAYROLL_RENDER_CHUNK = int(os.environ.get("PAYROLL_RENDER_CHUNK", "25"))

CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {
        # Lets the health page tell that beat is alive, not just the worker.
        "task": "smartcoop.core.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "invoicing-reminders-daily": {
        # Reminders by the pack's schedule, once a day in the morning (deployment timezone), so
        # e-mails reach clients in office hours; idempotent (one reminder per invoice and step).
        "task": "invoicing.reminders_daily",
        "schedule": crontab(hour=7, minute=30),
    },
    "invoicing-transmissions-sweep": {
        # E-invoice and e-mail sends stuck IN_FLIGHT or due for a retry go back to the queue.
        "task": "invoicing.transmissions_sweep",
        "schedule": crontab(minute="*/10"),
    },
    "activities-collect-loan-instalments": {
        # Instalments fall due on the 1st; running daily catches up a missed run. Idempotent.
        "task": "activities.tasks.collect_loan_instalments",
        "schedule": crontab(hour=6, minute=15),
    },
    "payroll-runs-sweep": {
        # Opens the pay runs due within a few days (one per entity and pay date, the pack's
        # terms) and sends again a step a lost worker left; idempotent.
        "task": "payroll.runs.sweep",
        "schedule": crontab(minute=20),
    },
    "members-session-reminders": {
        # Reminders of tomorrow's information sessions. Hourly, so a failed send is retried;
        # each booking's flag (set under SKIP LOCKED) keeps anyone from getting two.
        "task": "members.send_session_reminders",
        "schedule": crontab(minute=5),
    },
    "declarations-deadline-alerts": {
        # Payroll officers hear of declarations due within the pack's alert window and not
        # filed; hourly, once per declaration (its flag set under SKIP LOCKED).
        "task": "declarations.tasks.deadline_alerts",
        "schedule": crontab(minute=10),
    },
    "declarations-poll-sent": {
        # Declarations sent by a web service without an answer yet are asked again, each on its
        # own backoff (SMARTCOOP_DECLARATION_POLL_*), until answered or flagged "no answer";
        # each row claimed under SKIP LOCKED, so two sweeps at once ask and apply once.
        "task": "declarations.tasks.poll_sent_declarations",
        "schedule": timedelta(seconds=SMARTCOOP_DECLARATION_POLL_EVERY_SECONDS),
    },
    "declarations-dimona-out": {
        # The Dimona OUT of open-ended employments ending today, due the next working day;
        # early in the morning, idempotent (one OUT per contract).
        "task": "declarations.tasks.dimona_out_sweep",
        "schedule": crontab(hour=5, minute=40),
    },
    "keyfigures-store-closed-years": {
        # The last two closed years' key figures computed again and kept (all entities, each
        # one, and what staff asked to keep), at night when nobody reads them; the page then
        # reads them instead of scanning a year. Idempotent (one row per year and scope).
        "task": "keyfigures.tasks.store_closed_years",
        "schedule": crontab(hour=2, minute=30),
    },
    "governance-vote-reminders": {
        # Voters who have not voted on every resolution, the day before the vote closes. Hourly;
        # each voter's flag (set under SKIP LOCKED) keeps anyone from getting two.
        "task": "governance.send_vote_reminders",
        "schedule": crontab(minute=20),
    },
}

# --- Logging: national numbers, IBANs and link tokens are never logged (see core.logging) -------
# Django's own "django" and "django.server" (runserver's access log) loggers are routed through
# the redacting handler too: by default they have handlers of their own that print request paths,
# and those of the client pages carry the link's token.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "smartcoop.core.logging.RedactSensitiveData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SMARTCOOP_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
