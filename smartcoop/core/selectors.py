from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from .models import AuditLogEntry, LegalEntity, NumberSequence, TaskFailure


def audit_log_list(
    *, entity: LegalEntity | None, action_prefix: str = ""
) -> QuerySet[AuditLogEntry]:
    """Audit rows of one entity plus the entity-less ones (members, accounts)."""
    rows = AuditLogEntry.objects.select_related("actor", "entity")
    if entity is not None:
        from django.db.models import Q

        rows = rows.filter(Q(entity=entity) | Q(entity__isnull=True))
    if action_prefix:
        rows = rows.filter(action__startswith=action_prefix)
    return rows


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a health page reports every failure, whatever it is
        detail, ok = str(exc) or type(exc).__name__, False
    return {"ok": ok, "detail": detail, "ms": round((time.monotonic() - started) * 1000, 1)}


def system_health() -> dict[str, dict]:
    """Whether the database, the broker, a worker and beat answer, each with its latency."""
    from smartcoop.celery import app

    from .tasks import HEARTBEAT_CACHE_KEY

    def database():
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            return cursor.fetchone()[0].split(" on ")[0]

    def broker():
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return conn.as_uri().split("@")[-1]

    def worker():
        replies = app.control.broadcast("ping", reply=True, timeout=1.5, limit=1) or []
        if not replies:
            raise RuntimeError("no worker answered within 1.5 s")
        return ", ".join(sorted(name for reply in replies for name in reply))

    def beat():
        last = cache.get(HEARTBEAT_CACHE_KEY)
        if not last:
            raise RuntimeError("no heartbeat from beat yet (it runs every minute)")
        return f"last heartbeat {last}"

    return {
        "database": _timed(database),
        "broker": _timed(broker),
        "worker": _timed(worker),
        "beat": _timed(beat),
    }


def open_task_failures() -> QuerySet[TaskFailure]:
    return TaskFailure.objects.filter(resolved_at__isnull=True)


def number_sequence_list(*, entity: LegalEntity) -> QuerySet[NumberSequence]:
    return NumberSequence.objects.filter(entity=entity)


def number_sequence_get(*, entity: LegalEntity, public_id) -> NumberSequence:
    """One series of the entity; another entity's series is not found (404 in views)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(NumberSequence, entity=entity, public_id=public_id)
