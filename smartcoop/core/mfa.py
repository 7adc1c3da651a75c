from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


def user_has_mfa(user: User | AnonymousUser) -> bool:
    cache = getattr(user, "_smartcoop_has_mfa", None)
    if cache is None:
        cache = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._smartcoop_has_mfa = cache  # type: ignore[union-attr]
    return cache
