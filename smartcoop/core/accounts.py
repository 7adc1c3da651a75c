from __future__ import annotations

import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.utils import translation

from .mfa import user_has_mfa
from .middleware import client_ip

# A password typed this recently counts as a fresh authentication for setting up the first
# second factor (staff are sent to that set-up right after they log in).
FIRST_FACTOR_FRESH_SECONDS = 10 * 60


class AccountAdapter(DefaultAccountAdapter):
    """New accounts are members; they keep the language they signed up in."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.preferred_language = (translation.get_language() or "")[:2]
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account e-mails (password reset, address confirmation, security notices) in the
        language the person chose, not the language of the page that triggered them; for an
        address nobody owns yet (sign-up), the page's language."""
        user = context.get("user")
        if user is None:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", "") if user is not None else ""
        if language in dict(settings.LANGUAGES):
            with translation.override(language):
                super().send_mail(template_prefix, email, context)
        else:
            super().send_mail(template_prefix, email, context)

    def post_login(self, request, user, **kwargs):
        """Log in into the language the person chose last time. The language is switched before
        allauth writes its "Successfully signed in" message, which is otherwise rendered in the
        login page's language and shown on the first page in the person's own."""
        language = getattr(user, "preferred_language", "")
        known = language in dict(settings.LANGUAGES)
        if known:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = super().post_login(request, user, **kwargs)
        if known:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=365 * 24 * 3600,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                httponly=False,
            )
        return response

    def get_client_ip(self, request):
        """The one notion of the client's address (core.middleware.client_ip): allauth's rate
        limits count the same address as the payment pages."""
        return client_ip(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed logins are counted per account *and address* ("5/5m/key"), plus per address
        ("20/5m/ip"): an attacker who fails on someone's e-mail from their own address locks out
        only themselves — the owner still logs in from theirs. (allauth's default key is the
        e-mail alone, which would let anyone lock anyone out.)"""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a *first* second factor right after a password login needs no second
        password prompt; changing or removing an existing factor still does."""
        request = self.request
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not user_has_mfa(user)
        ):
            records = get_authentication_records(request, user)
            now = time.time()
            if any(
                r.get("method") == "password" and now - r.get("at", 0) < FIRST_FACTOR_FRESH_SECONDS
                for r in records
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
