"""Benchmark: the main pages at 20 concurrent users on smart-be scale data (issue 14: p95 < 150 ms
at 20 concurrent users, with the query count per page), and the daily reminder sweep at that size.

Not a test: figures are printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/pages_load.py

It creates a database of its own beside the one it is given (dropped at the end), seeds one year
with `seed_scale --profile smart-be --factor BENCH_FACTOR` (default 0.02, so that `make bench`
stays short; `BENCH_DATABASE_URL` points it at a database already seeded, at factor 1 say, which
it then keeps), starts gunicorn (BENCH_GUNICORN_WORKERS processes, default 4) on loopback, and
runs its own bounded load generator: first one user alone (each page's service time), then
BENCH_USERS threads (default 20), each with its own keep-alive connection, sharing BENCH_REQUESTS
requests per page (default 60) over the pages below in an order shuffled with a fixed seed. It
prints p50/p95/max per page and the query count of each page (counted in-process through the whole Django stack, once per page). Then it times the
reminder sweep (`invoicing.reminders_daily`) on 15 January after the seeded year, rolled back
(BENCH_REMINDER_SWEEP=0 skips it).

The pages, each as the user who sees it:
- the member dashboard (`/app/`) and an Activity page, as the salaried member with the most
  contracts; the member's invoice list (`/invoicing/`);
- the back-office invoice list (`/invoicing/staff/`) as an accountant;
- the adviser portfolio (`/members/staff/portfolio/`) and the validation queues
  (`/activities/staff/`) as an adviser (one office, ~1/N of the members);
- the back-office dashboard (`/backoffice/`) as an administrator.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

FACTOR = float(os.environ.get("BENCH_FACTOR", "0.02"))
USERS = int(os.environ.get("BENCH_USERS", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GIVEN_DATABASE = os.environ.get("BENCH_DATABASE_URL", "")
BENCH_DB = "smartcoop_bench_pages"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def own_database() -> tuple[str, str]:
    """A fresh database beside the given one (the other benches never see the scale data)."""
    import psycopg

    given = os.environ["DATABASE_URL"]
    parts = urlsplit(given)
    url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    with psycopg.connect(given, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return given, url


def drop_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def prepare(year: int) -> list[tuple[str, str, str]]:
    """Seeds if needed; returns (page, path, session cookie) for each page."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from members.models import Member
    from smartcoop.core.models import User
    from smartcoop.core.roles import Role

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        if not Member.objects.filter(email__endswith="@scale.invalid").exists():
            started = time.monotonic()
            call_command(
                "seed_scale", "--factor", str(FACTOR), "--years", "1", "--last-year", str(year),
                verbosity=0, stdout=open(os.devnull, "w"),  # noqa: SIM115
            )  # fmt: skip
            print(
                f"seeded smart-be factor {FACTOR}, one year, in {time.monotonic() - started:.0f} s"
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The salaried member with the most contracts gets an account (scale members have none).
        member = (
            Member.objects.filter(email__endswith="@scale.invalid")
            .annotate(n=Count("employment_contracts"))
            .order_by("-n", "pk")
            .first()
        )
        assert member is not None
        if member.user_id is None:
            member.user = User.objects.create_user(
                member.email, "x" * 16, role=Role.MEMBER, first_name="Scale", last_name="Member"
            )
            member.save(update_fields=["user"])
        activity = member.coordinated_activities.order_by("pk").first()  # type: ignore[attr-defined]
        users = {
            "member": member.user,
            "accountant": User.objects.get(email="accountant@smartcoop.demo"),
            "adviser": User.objects.get(email="adviser@smartcoop.demo"),
            "admin": User.objects.get(email="admin@smartcoop.demo"),
        }
        pages = [
            ("member dashboard", "member", "/app/"),
            ("Activity page", "member", f"/activities/a/{activity.public_id}/"),
            ("member invoice list", "member", "/invoicing/"),
            ("invoice list (back office)", "accountant", "/invoicing/staff/"),
            ("adviser portfolio", "adviser", "/members/staff/portfolio/"),
            ("validation queues", "adviser", "/activities/staff/"),
            ("back-office dashboard", "admin", "/backoffice/"),
        ]
        cookies = {}
        for role, user in users.items():
            client = Client(SERVER_NAME="localhost")
            client.force_login(user)
            cookies[role] = client.cookies["sessionid"].value
        print(
            f"member: {member.employment_contracts.count():,} contracts; "  # type: ignore[attr-defined]
            f"adviser's office: {Member.objects.filter(office=users['adviser'].office).count():,}"
            f" members of {Member.objects.count():,}"
        )
        print(f"{'page':30} {'queries':>8}")
        for label, role, path in pages:
            client = Client(SERVER_NAME="localhost")
            client.cookies["sessionid"] = cookies[role]
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            print(f"{label:30} {len(queries):8d}")
    return [(label, path, cookies[role]) for label, role, path in pages]


def headers(cookie: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={cookie}", "Host": "localhost"}


def cpu_seconds(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def serving_pids(server_pid: int) -> tuple[list[int], list[int]]:
    """The gunicorn workers, and the PostgreSQL backends of this database (the workers keep
    their connections: CONN_MAX_AGE) other than ours."""
    import psutil
    from django.db import connection

    workers = [child.pid for child in psutil.Process(server_pid).children()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return workers, backends


def load(
    port: int,
    pages: list[tuple[str, str, str]],
    users: int,
    requests: int,
    show: bool = True,
    server_pid: int = 0,
) -> None:
    jobs = [page for page in pages for _ in range(requests)]
    random.Random(14).shuffle(jobs)  # noqa: S311 - a fixed order, not a secret
    lock = threading.Lock()
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    def user() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not jobs:
                    break
                label, path, cookie = jobs.pop()
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers(cookie))
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, label = 0, f"{label} ({exc.__class__.__name__})"
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    timings[label].append(elapsed * 1000)
                else:
                    errors.append(f"{label}: {status}")
        conn.close()

    workers, backends = serving_pids(server_pid) if server_pid else ([], [])
    cpu_before = (cpu_seconds(workers), cpu_seconds(backends))
    started = time.monotonic()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    total = sum(len(t) for t in timings.values())
    web_cpu = cpu_seconds(workers) - cpu_before[0]
    db_cpu = cpu_seconds(backends) - cpu_before[1]
    if not show:
        return
    print(
        f"{users} concurrent user(s), {total} requests in {wall:.1f} s ({total / wall:.1f} req/s), "
        f"gunicorn {WORKERS} workers; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    if total and server_pid:
        print(
            f"CPU per request (all pages): web {web_cpu / total * 1000:.0f} ms, "
            f"PostgreSQL {db_cpu / total * 1000:.0f} ms ({len(backends)} backends)"
        )
    print(f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5}")
    for label, _path, _cookie in pages:
        values = timings.get(label, [])
        if values:
            print(
                f"{label:30} {statistics.median(values):8.0f} {percentile(values, 0.95):8.0f} "
                f"{max(values):8.0f} {len(values):5d}"
            )
    if errors:
        print(f"errors: {len(errors)} ({sorted(set(errors))[:5]})")


def reminder_sweep(year: int) -> None:
    import datetime as dt

    from django.db import transaction
    from django_scopes import scopes_disabled

    from invoicing.models import Invoice, Reminder
    from invoicing.selectors import invoices_due_for_reminder
    from invoicing.tasks import reminders_daily

    class Rollback(Exception):
        pass

    day = dt.date(year + 1, 1, 15)
    try:
        with transaction.atomic(), scopes_disabled():
            due = invoices_due_for_reminder(on=day).count()
            before = Reminder.objects.with_scopes_disabled().count()
            started = time.monotonic()
            reminders_daily(on=day.isoformat())
            elapsed = time.monotonic() - started
            created = Reminder.objects.with_scopes_disabled().count() - before
            print(
                f"reminder sweep on {day} over {Invoice.objects.with_scopes_disabled().count():,} "
                f"invoices: {elapsed:.2f} s, {due:,} due, {created:,} reminders created "
                "(rolled back; letters are rendered later by reminder_send tasks)"
            )
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    admin_url = ""
    if GIVEN_DATABASE:
        os.environ["DATABASE_URL"] = GIVEN_DATABASE
    else:
        admin_url, os.environ["DATABASE_URL"] = own_database()
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    server = None
    try:
        year = timezone.localdate().year - 1
        print(f"uptime: {Path('/proc/loadavg').read_text().split()[:3]} (shared machine: noisy)")
        pages = prepare(year)
        connections.close_all()
        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, on loopback
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "smartcoop.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
                "--access-logfile",  # gunicorn.conf.py's access log, written nowhere
                os.devnull,
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        # Every gunicorn worker imports and warms up on its first requests: not measured.
        load(port, pages, users=WORKERS, requests=WORKERS, show=False)
        # One user first (the service time of each page), then the concurrent users.
        load(port, pages, users=1, requests=max(5, REQUESTS // 4), server_pid=server.pid)
        load(port, pages, users=USERS, requests=REQUESTS, server_pid=server.pid)
        if os.environ.get("BENCH_REMINDER_SWEEP", "1") == "1":
            reminder_sweep(year)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        connections.close_all()
        if admin_url:
            drop_database(admin_url)


if __name__ == "__main__":
    main()
