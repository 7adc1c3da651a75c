"""The Celery task base every app uses, and the core's own periodic tasks.

Tasks take ids and primitives, are enqueued after commit (`enqueue`), run inside an entity scope
(or with scopes disabled for cross-entity sweeps), retry transient errors with backoff, and when
they fail for good leave a TaskFailure row that staff see on the health page."""

from __future__ import annotations

import traceback

from celery import Task, shared_task
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError as BrokerError

from .logging import redact

HEARTBEAT_CACHE_KEY = "smartcoop:beat:last"


class SmartcoopTask(Task):
    abstract = True
    autoretry_for = (OperationalError, ConnectionError, TimeoutError, BrokerError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def enqueue(self, *args, **kwargs) -> None:
        """Send the task once the current transaction commits (at once outside a transaction)."""
        transaction.on_commit(lambda: self.apply_async(args=args, kwargs=kwargs))

    def __call__(self, *args, **kwargs):
        entity_id = kwargs.get("entity_id")
        if entity_id is not None:
            with scope(entity=entity_id):
                return super().__call__(*args, **kwargs)
        with scopes_disabled():
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


@shared_task(base=SmartcoopTask, name="smartcoop.core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by beat every minute, so the health page can tell that beat and a worker are alive."""
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat(), timeout=60 * 60)


@shared_task(base=SmartcoopTask, name="smartcoop.core.tasks.ping")
def ping() -> str:
    return "pong"


@shared_task(base=SmartcoopTask, name="smartcoop.core.tasks.send_notification_email")
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
