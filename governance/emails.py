"""E-mails of the governance app: plain-text templates rendered in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from smartcoop.core.validators import single_line


def send(*, to: str, template: str, context: dict, language: str = "") -> None:
    """Render templates/governance/email/<template>_subject.txt and _body.txt and send them."""
    language = language or settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"governance/email/{template}_subject.txt", context)
        body = render_to_string(f"governance/email/{template}_body.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + single_line(subject).strip(),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
    )


def member_language(member) -> str:
    return member.language or getattr(member.user, "preferred_language", "") or ""


def wants_email(voter, kind: str) -> bool:
    """The member's choice for this kind of e-mail (core notification preferences)."""
    from smartcoop.core.notifications import preference

    user = voter.member.user
    if user is None:
        return True  # no account to hold a choice: the e-mail is how they hear of it
    return preference(user=user, kind=kind).by_email
