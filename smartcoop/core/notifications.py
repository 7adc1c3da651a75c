"""Telling people when something happens to them: in their account (a list with an unread count
in the member layout) and by e-mail, in their language, each kind opt-out.

The core knows no app: apps register their kinds from AppConfig.ready() and call `notify(...)`
from the service that made the change, inside its transaction. The row is written there; the
e-mail is a Celery task sent after commit (`send_notification_email`), so a rollback sends
nothing. Texts are rendered when shown or sent, in the reader's language: a kind's message is a
lazy translated string with %(name)s placeholders; parameters named in `money` / `dates` are
written the way that language writes amounts and dates."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.functional import Promise

from .models import Notification, NotificationPreference, User
from .money import format_money
from .roles import Permission, has_permission

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationKind:
    key: str  # "<app>.<what>", e.g. "activities.contract_validated"
    label: str | Promise  # on the preferences page: "A contract is validated"
    message: str | Promise  # "Your contract of %(start)s as %(function)s is validated."
    money: tuple[str, ...] = ()  # parameters written as amounts
    dates: tuple[str, ...] = ()  # parameters written as dates (ISO strings in params)
    order: int = 100
    # False: the app shows this news on its own page and sends its own e-mail (a convocation
    # with its agenda), checking `preference(...).by_email`; the choices page offers e-mail only.
    in_account: bool = True
    # Who can receive it, so that the choices page offers each person only their kinds: MEMBERS
    # (people the members app knows as members of the cooperative), the holders of a
    # permission (e.g. Permission.SUBMIT_DECLARATIONS: the payroll officers), or None (anyone
    # with an account).
    audience: str | Permission | None = None


# The audience of the kinds sent to members (a contract validated, a client paid, a
# convocation…): answered by the members app (`register_audience`), which knows who is one.
MEMBERS = "members"


@dataclass
class _Registry:
    kinds: dict[str, NotificationKind] = field(default_factory=dict)
    language_sources: list[Callable[[User], str]] = field(default_factory=list)
    audiences: dict[str, Callable[[User], bool]] = field(default_factory=dict)


_REGISTRY = _Registry()


def register_kind(kind: NotificationKind) -> None:
    _REGISTRY.kinds[kind.key] = kind


def register_language_source(source: Callable[[User], str]) -> None:
    """An app that knows a person's language better than the account does (members: the language
    chosen when joining) tells the core; the first non-empty answer wins."""
    if source not in _REGISTRY.language_sources:
        _REGISTRY.language_sources.append(source)


def kinds() -> list[NotificationKind]:
    return sorted(_REGISTRY.kinds.values(), key=lambda k: (k.order, k.key))


def register_audience(name: str, includes: Callable[[User], bool]) -> None:
    """An app that knows who belongs to a named audience (members: who is a member) says so."""
    _REGISTRY.audiences[name] = includes


def kinds_for(user: User) -> list[NotificationKind]:
    """The kinds `user` can receive, by each kind's audience and the person's role: what their
    choices page offers. A named audience nobody registered includes no one."""
    answers: dict[str | Permission, bool] = {}

    def receives(audience: str | Permission | None) -> bool:
        if audience is None:
            return True
        if audience not in answers:
            if isinstance(audience, Permission):
                answers[audience] = has_permission(user, audience)
            else:
                includes = _REGISTRY.audiences.get(audience)
                answers[audience] = bool(includes and includes(user))
        return answers[audience]

    return [kind for kind in kinds() if receives(kind.audience)]


def kind_of(key: str) -> NotificationKind | None:
    return _REGISTRY.kinds.get(key)


def language_for(user: User) -> str:
    for source in _REGISTRY.language_sources:
        language = source(user)
        if language:
            return language[:2]
    return (user.preferred_language or settings.LANGUAGE_CODE)[:2]


# --- Writing ---------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """Parameters are kept as JSON: amounts as decimal strings, dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)


def preference(*, user: User, kind: str) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return found or NotificationPreference(user=user, kind=kind)


def notify(
    *, user: User | None, kind: str, params: dict | None = None, url: str = ""
) -> Notification | None:
    """Tell `user` that something of `kind` happened. Call it inside the transaction of the
    change; the e-mail (if wanted) leaves after commit. None when the person wants neither the
    account entry nor the e-mail of this kind, or has no active account."""
    return notify_many(kind=kind, notices=[(user, params, url)])[0]


def notify_many(
    *, kind: str, notices: list[tuple[User | None, dict | None, str]]
) -> list[Notification | None]:
    """`notify` for many people at once (user, params, url each), e.g. the members of the
    contracts an adviser validated together: their choices read in one query, the rows written
    in one INSERT, same rules. One answer per notice, None where nothing is written."""
    if kind not in _REGISTRY.kinds:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    reachable = [user for user, _params, _url in notices if user is not None and user.is_active]
    choices = (
        {
            found.user_id: found
            for found in NotificationPreference.objects.filter(
                user__in=[user.pk for user in reachable], kind=kind
            )
        }
        if reachable
        else {}
    )
    rows: list[Notification] = []
    answers: list[Notification | None] = []
    for user, params, url in notices:
        if user is None or not user.is_active:
            answers.append(None)
            continue
        choice = choices.get(user.pk) or NotificationPreference(user=user, kind=kind)
        wants_email = choice.by_email and bool(user.email)
        if not choice.in_account and not wants_email:
            answers.append(None)
            continue
        row = Notification(
            user=user,
            kind=kind,
            params={name: _plain(value) for name, value in (params or {}).items()},
            url=url,
            in_account=choice.in_account,
            email=Notification.Email.PENDING if wants_email else Notification.Email.NOT_WANTED,
        )
        rows.append(row)
        answers.append(row)
    if rows:
        Notification.objects.bulk_create(rows)
        from .tasks import EMAIL_BATCH, send_notification_email, send_notification_emails

        pending = [row.pk for row in rows if row.email == Notification.Email.PENDING]
        if len(pending) == 1:
            send_notification_email.enqueue(pending[0])
        for start in range(0, len(pending) if len(pending) > 1 else 0, EMAIL_BATCH):
            send_notification_emails.enqueue(pending[start : start + EMAIL_BATCH])
    return answers


def preferences_save(*, user: User, choices: dict[str, tuple[bool, bool]]) -> None:
    """`choices`: kind → (in_account, by_email) for the kinds `user` can receive; others are
    ignored. A kind whose news is not listed in the account (`in_account=False`) offers no
    choice there, so none is recorded for it."""
    offered = {kind.key: kind for kind in kinds_for(user)}
    with transaction.atomic():
        for key, (in_account, by_email) in choices.items():
            if key not in offered:
                continue
            in_account = in_account or not offered[key].in_account
            NotificationPreference.objects.update_or_create(
                user=user, kind=key, defaults={"in_account": in_account, "by_email": by_email}
            )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


# --- Reading ---------------------------------------------------------------------------------


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, in_account=True)


def unread_count(*, user: User) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()


def render_text(notification: Notification, language: str | None = None) -> str:
    """The notification's sentence in `language` (the active one by default)."""
    kind = kind_of(notification.kind)
    if kind is None:  # a kind whose app was removed: say what we know
        return notification.kind
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        values = {}
        for name, value in notification.params.items():
            if name in kind.money and value not in (None, ""):
                values[name] = format_money(Decimal(str(value)))
            elif name in kind.dates and value:
                values[name] = formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
            else:
                values[name] = value
        try:
            return str(kind.message) % values
        except (KeyError, ValueError, TypeError):
            logger.warning("notification %s: parameters do not fit its message", notification.pk)
            return str(kind.label)
