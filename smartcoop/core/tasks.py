"""The Celery task base every app uses, and the core's own periodic tasks.

Tasks take ids and primitives, are enqueued after commit (`enqueue`), retry transient errors with
backoff, and when they fail for good leave a TaskFailure row that staff see on the health page.

Tenancy: a task runs inside the scope of the entity its `entity_id` keyword names, so a query on
an entity-owned row of another entity finds nothing. A task sent without `entity_id` fails at
once (`TaskEntityMissing`, kept as a TaskFailure). The only exceptions declare `without_entity`
with the reason: they touch no entity-owned row (members, sessions and appointments are shared
by every entity), or they are beat sweeps that walk the entities and open one scope per entity
(`in_each_entity`). They run with no scope at all, so a query that forgets its entity raises
ScopeError instead of reading every entity's rows."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from celery import Task, shared_task
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_scopes.state import state as scope_state
from kombu.exceptions import OperationalError as BrokerError

if TYPE_CHECKING:
    from .models import LegalEntity

from .logging import redact

HEARTBEAT_CACHE_KEY = "smartcoop:beat:last"


class TaskEntityMissing(RuntimeError):
    """A task that works on entity-owned rows was sent without the entity it works for."""


@contextmanager
def no_scope() -> Iterator[None]:
    """No entity scope at all, whatever the caller had open: an entity-owned query raises."""
    token = scope_state.set({})
    try:
        yield
    finally:
        scope_state.reset(token)


def in_each_entity(work: Callable[[LegalEntity], int]) -> int:
    """For beat sweeps: run `work(entity)` for every legal entity in turn, inside that entity's
    scope, and add up what it returns. Inactive entities too: their open invoices, sends and
    loans still run their course."""
    from .models import LegalEntity

    # Across entities on purpose: the sweep's list of entities, each then opened in its scope.
    with scopes_disabled():
        entities = list(LegalEntity.objects.order_by("pk"))
    total = 0
    for entity in entities:
        with no_scope(), scope(entity=entity.pk):
            total += work(entity)
    return total


class SmartcoopTask(Task):
    abstract = True
    autoretry_for = (OperationalError, ConnectionError, TimeoutError, BrokerError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    # The reason a task runs without an entity (see the module docstring); empty: it needs one.
    without_entity = ""

    def enqueue(self, *args, **kwargs) -> None:
        """Send the task once the current transaction commits (at once outside a transaction).
        Tasks on entity-owned rows are given `entity_id=` (the entity of the row they work on)."""
        transaction.on_commit(lambda: self.apply_async(args=args, kwargs=kwargs))

    def __call__(self, *args, **kwargs):
        if self.without_entity:
            with no_scope():
                return super().__call__(*args, **kwargs)
        entity_id = kwargs.get("entity_id")
        if isinstance(entity_id, bool) or not isinstance(entity_id, int):
            raise TaskEntityMissing(
                f"{self.name} works on entity-owned rows and was sent without its entity: "
                f"enqueue it with entity_id=<the row's entity id> (got {entity_id!r})."
            )
        with no_scope(), scope(entity=entity_id):
            return super().__call__(*args, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .models import TaskFailure

        TaskFailure.objects.create(
            task_name=self.name,
            task_id=task_id or "",
            arguments={
                "args": [redact(str(a)) for a in args],
                "kwargs": {k: redact(str(v)) for k, v in kwargs.items()},
            },
            error=redact("".join(traceback.format_exception_only(type(exc), exc)).strip()),
        )


@shared_task(
    base=SmartcoopTask,
    name="smartcoop.core.tasks.heartbeat",
    ignore_result=True,
    without_entity="writes a cache key, no entity-owned row",
)
def heartbeat() -> None:
    """Run by beat every minute, so the health page can tell that beat and a worker are alive."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=60 * 60)


@shared_task(base=SmartcoopTask, name="smartcoop.core.tasks.ping", without_entity="reads nothing")
def ping() -> str:
    return "pong"


@shared_task(
    base=SmartcoopTask,
    name="smartcoop.core.tasks.send_notification_email",
    without_entity="a notification is a person's row, its text rendered from its own params",
)
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification in its reader's language. The row goes PENDING → SENDING in a
    short transaction (row locked, skipped if another worker has it), the SMTP call happens
    outside it, then SENT: running it twice never sends twice."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .models import Notification
    from .notifications import kind_of, language_for, preference, render_text

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=notification_id, email=Notification.Email.PENDING)
            .first()
        )
        if notification is None:
            return
        user = notification.user
        # The choice may have changed since the notification was written: honour the latest.
        if not preference(user=user, kind=notification.kind).by_email or not user.is_active:
            notification.email = Notification.Email.NOT_WANTED
            notification.save(update_fields=["email", "updated_at"])
            return
        notification.email = Notification.Email.SENDING
        notification.save(update_fields=["email", "updated_at"])
    language = language_for(user)
    kind = kind_of(notification.kind)
    text = render_text(notification, language)
    with translation.override(language):
        context = {
            "text": text,
            "label": str(kind.label) if kind else notification.kind,
            "url": settings.SITE_URL + notification.url if notification.url else "",
            "preferences_url": settings.SITE_URL + reverse("core:notification_preferences"),
            "name": user.first_name,
        }
        subject = render_to_string("core/email/notification_subject.txt", context).strip()
        body = render_to_string("core/email/notification_body.txt", context)
    try:
        send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    except Exception:
        # Back to PENDING so the retry (transient errors) or a later run sends it.
        Notification.objects.filter(pk=notification.pk).update(email=Notification.Email.PENDING)
        raise
    Notification.objects.filter(pk=notification.pk).update(
        email=Notification.Email.SENT, emailed_at=timezone.now()
    )


# Notifications written together (the members of the contracts an adviser validated at once)
# send their e-mails in messages of this many, not one broker message each.
EMAIL_BATCH = 50


@shared_task(
    base=SmartcoopTask,
    name="smartcoop.core.tasks.send_notification_emails",
    without_entity="notifications are people's rows, their texts rendered from their own params",
)
def send_notification_emails(notification_ids: list[int]) -> None:
    """E-mail notifications written together, each as `send_notification_email` does (its row
    locked, re-checked, never sent twice). One that fails is handed to its own task, with that
    task's retries and failure record, and the others go on."""
    for notification_id in notification_ids:
        try:
            send_notification_email.run(notification_id)
        except Exception:
            send_notification_email.apply_async(args=(notification_id,))
