"""Benchmark: the beat sweep that asks the web service again for unanswered declarations.

Not a test: run it against a throw-away PostgreSQL (it commits):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/declarations_poll.py

One entity filing by web service, BENCH_POLL_ANSWERED (default 140,000: a year of Smart's
Dimona) answered declarations and BENCH_POLL_SENT (default 600: a day's peak) sent ones, the
fake ONSS of the tests on loopback. Prints, with the load average beside each figure (nothing
asserted):
1. a sweep when nothing is due (what beat costs every minute): queries, CPU of this process and
   of its PostgreSQL backend;
2. a sweep when all the sent ones are due (at most SMARTCOOP_DECLARATION_POLL_BATCH, 500, asked) and the service says "not processed yet": per
   declaration (claim under SKIP LOCKED, one GET);
3. the same when it accepts them: per declaration (claim, GET, apply with its audit row).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

ANSWERED = int(os.environ.get("BENCH_POLL_ANSWERED", "140000"))
SENT = int(os.environ.get("BENCH_POLL_SENT", "600"))


def process_cpu(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def loadavg() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def bench() -> None:
    from django.db import connection
    from django.utils import timezone

    from tests.declarations.fake_authority import FakeAuthority

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    now = timezone.now()
    with FakeAuthority() as authority:
        run(authority, backend, now)


def run(authority, backend: int, now: dt.datetime) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from declarations.models import ChannelSetting, Declaration
    from declarations.services_poll import sent_declarations_poll
    from tests.factories import LegalEntityFactory

    with scopes_disabled():
        entity = LegalEntityFactory()
        ChannelSetting.objects.create(
            entity=entity, channel="http", base_url=authority.url, timeout_seconds=5
        )
        begun = time.perf_counter()
        rows = [
            Declaration(
                entity=entity,
                kind="dimona_in",
                status="accepted",
                channel="http",
                payload_sha256="0" * 64,
                sent_at=now - dt.timedelta(days=1),
                authority_reference=str(n),
            )
            for n in range(ANSWERED)
        ]
        Declaration.objects.bulk_create(rows, batch_size=5000)
        sent = Declaration.objects.bulk_create(
            [
                Declaration(
                    entity=entity,
                    kind="dimona_in",
                    status="sent",
                    channel="http",
                    payload_sha256="0" * 64,
                    sent_at=now,
                    next_poll_at=now + dt.timedelta(minutes=1),
                    authority_reference=str(1_000_000 + n),
                )
                for n in range(SENT)
            ]
        )
        for declaration in sent:  # the fake knows them as filed
            authority.filings[declaration.reference] = {
                "id": declaration.authority_reference,
                "body": {},
                "key": declaration.reference,
            }
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE declarations_declaration")
        print(
            f"  set-up: {ANSWERED} answered and {SENT} sent declarations in "
            f"{time.perf_counter() - begun:.1f} s (not timed)"
        )

    def sweep(at: dt.datetime, label: str) -> None:
        gets = authority.gets
        begun, cpu, db = time.perf_counter(), time.process_time(), process_cpu(backend)
        with scope(entity=entity.pk), CaptureQueriesContext(connection) as queries:
            counts = sent_declarations_poll(entity=entity, now=at)
        wall = time.perf_counter() - begun
        cpu, db = time.process_time() - cpu, process_cpu(backend) - db
        per = authority.gets - gets
        print(
            f"  {label} ({loadavg()}): {counts or 'nothing due'}, {authority.gets - gets} GETs, "
            f"{len(queries)} queries; {wall * 1000:.0f} ms wall, {cpu * 1000:.1f} ms CPU here "
            f"and {db * 1000:.1f} ms in PostgreSQL"
            + (f" = {cpu / per * 1000:.2f} + {db / per * 1000:.2f} ms a declaration" if per else "")
        )

    sweep(now + dt.timedelta(seconds=30), "nothing due (every minute)")
    authority.verdict = None
    sweep(now + dt.timedelta(minutes=2), f"{SENT} due, not processed yet")
    authority.verdict = "A"
    sweep(now + dt.timedelta(minutes=10), f"{SENT} due, accepted")


def main() -> None:
    import django

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("Declarations asked again (beat sweep):")
    bench()


if __name__ == "__main__":
    main()
