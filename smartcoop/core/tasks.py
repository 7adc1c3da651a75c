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
