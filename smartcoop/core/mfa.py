from __future__ import annotations

from allauth.mfa.models import Authenticator


def user_has_mfa(user) -> bool:
    cache = getattr(user, "_smartcoop_has_mfa", None)
    if cache is None:
        cache = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._smartcoop_has_mfa = cache
    return cache
