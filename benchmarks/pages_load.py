"""Benchmark: the main pages at 20 concurrent users on smart-be scale data (issue 14: p95 < 150 ms
at 20 concurrent users, with the query count per page), and the daily reminder sweep at that size.

Not a test: figures are printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/pages_load.py

It creates a database of its own beside the one it is given (dropped at the end), seeds one year
with `seed_scale --profile smart-be --factor BENCH_FACTOR` (default 0.02, so that `make bench`
stays short; `BENCH_DATABASE_URL` points it at a database already seeded, at factor 1 say, which
it then keeps and never migrates: it only adds an account and a session for one scale member),
starts gunicorn (BENCH_GUNICORN_WORKERS processes, default 4) on loopback, and runs its own
bounded load generator, each user a thread with its own keep-alive connection, in three parts:

1. one user alone: each page's service time, and its CPU (gunicorn worker + PostgreSQL backend,
   read from /proc around each request: nothing else runs on the server then);
2. **20 concurrent users** (BENCH_USERS) as a web application has them, and as Locust runs them
   (`wait_time = between(1, 3)`): each user requests a page, reads it for a random 1 to 3 s
   (BENCH_THINK, "1,3"), requests the next; they start spread over the first think time. The
   issue's "p95 < 150 ms at 20 concurrent users" is this part;
3. the same users without think time (a closed loop: the next request leaves when the answer
   arrives): a stress figure, what the machine saturates at, in requests/s.

Parts 2 and 3 share BENCH_REQUESTS requests per page (default 40) in an order shuffled with a
fixed seed. Each part prints p50/p95/max per page, requests/s, CPU per request (web and
PostgreSQL) and the load average; the query count of each page is counted in-process through the
whole Django stack, once per page. Then it times the reminder sweep (`invoicing.reminders_daily`)
on 15 January after the seeded year, rolled back (BENCH_REMINDER_SWEEP=0 skips it).

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
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
_think = os.environ.get("BENCH_THINK", "1,3").split(",")
THINK = (float(_think[0]), float(_think[-1]))
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

    if GIVEN_DATABASE:
        # A database we are given is never migrated (it may be shared): it must be up to date.
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            sys.exit(f"BENCH_DATABASE_URL lacks {len(pending)} migration(s), e.g. {pending[0][0]}")
    else:
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


def cpu_seconds(pid: int) -> float:
    import psutil

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


class ServerCpu:
    """CPU time of the gunicorn workers and of this database's PostgreSQL backends (other than
    ours). Backends come and go (CONN_MAX_AGE), so each process is read when first seen and then
    every half second: one that ends between two reads loses at most half a second of CPU."""

    def __init__(self, server_pid: int) -> None:
        import psutil
        from django.db import connection

        self.server = psutil.Process(server_pid)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_database()")
            self.own_backend, self.database = cursor.fetchone()
        self.postmaster = psutil.Process(self.own_backend).parent()
        self.first: dict[int, tuple[str, float]] = {}
        self.last: dict[int, float] = {}
        self.stopped = threading.Event()
        self.started: float | None = None

    def processes(self) -> list[tuple[int, str]]:
        import psutil

        found = [(child.pid, "web") for child in self.server.children()]
        for child in self.postmaster.children() if self.postmaster else []:
            try:
                command = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if child.pid != self.own_backend and f" {self.database} " in command:
                found.append((child.pid, "db"))
        return found

    def sample(self) -> None:
        for pid, kind in self.processes():
            seconds = cpu_seconds(pid)
            # A process first seen after the start began within the measured time.
            self.first.setdefault(pid, (kind, seconds if self.started is None else 0.0))
            self.last[pid] = max(seconds, self.last.get(pid, 0.0))

    def start(self) -> None:
        self.started = None
        self.sample()
        self.started = time.monotonic()
        threading.Thread(target=self.poll, daemon=True).start()

    def poll(self) -> None:
        while not self.stopped.wait(0.5):
            self.sample()

    def stop(self) -> tuple[float, float, int]:
        """Seconds of CPU (web, database) since start, and the number of backends seen."""
        self.stopped.set()
        self.sample()
        totals = {"web": 0.0, "db": 0.0}
        for pid, (kind, first) in self.first.items():
            totals[kind] += self.last[pid] - first
        backends = sum(1 for kind, _ in self.first.values() if kind == "db")
        return totals["web"], totals["db"], backends

    def now(self) -> tuple[float, float]:
        """For one request at a time: the CPU of every process now (web, database)."""
        totals = {"web": 0.0, "db": 0.0}
        for pid, kind in self.processes():
            totals[kind] += cpu_seconds(pid)
        return totals["web"], totals["db"]


def load(
    port: int,
    pages: list[tuple[str, str, str]],
    users: int,
    requests: int,
    title: str = "",
    think: tuple[float, float] | None = None,
    server_pid: int = 0,
) -> None:
    """`users` threads share `requests` requests per page; with `think`, each user waits a random
    time in that range (seconds) after each answer, and starts within the first such wait."""
    jobs = [page for page in pages for _ in range(requests)]
    random.Random(14).shuffle(jobs)  # noqa: S311 - a fixed order, not a secret
    lock = threading.Lock()
    timings: dict[str, list[float]] = defaultdict(list)
    page_cpu: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    server_cpu = ServerCpu(server_pid) if server_pid else None
    alone = users == 1 and server_cpu is not None

    def user(number: int) -> None:
        pause = random.Random(number)  # noqa: S311 - think times, not secrets
        if think:
            time.sleep(pause.uniform(0, think[1]))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not jobs:
                    break
                label, path, cookie = jobs.pop()
            cpu = server_cpu.now() if alone and server_cpu else (0.0, 0.0)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers(cookie))
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status, label = 0, f"{label} ({exc.__class__.__name__})"
            elapsed = time.perf_counter() - started
            if alone and server_cpu:
                after = server_cpu.now()
                page_cpu[label].append(after[0] - cpu[0])
                page_cpu[label + " db"].append(after[1] - cpu[1])
            with lock:
                if status == 200:
                    timings[label].append(elapsed * 1000)
                else:
                    errors.append(f"{label}: {status}")
            if think:
                time.sleep(pause.uniform(*think))
        conn.close()

    if server_cpu:
        server_cpu.start()
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    total = sum(len(t) for t in timings.values())
    web_cpu, db_cpu, backends = server_cpu.stop() if server_cpu else (0.0, 0.0, 0)
    if not title:
        return
    print(f"\n-- {title}")
    print(
        f"{total} requests in {wall:.1f} s: {total / wall:.1f} requests/s; gunicorn {WORKERS} "
        f"workers; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"on {os.cpu_count()} CPUs"
    )
    if total and server_pid:
        print(
            f"CPU per request (all pages): web {web_cpu / total * 1000:.0f} ms, "
            f"PostgreSQL {db_cpu / total * 1000:.0f} ms ({backends} backends); "
            f"{(web_cpu + db_cpu) / wall:.2f} CPUs busy"
        )
    # /proc counts CPU in ticks of 10 ms: the mean over the requests, not the median.
    cpu_header = f" {'web CPU':>8} {'db CPU':>8}" if alone else ""
    print(f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5}{cpu_header}")
    for label, _path, _cookie in pages:
        values = timings.get(label, [])
        if values:
            cpu_columns = (
                f" {statistics.mean(page_cpu[label]) * 1000:8.0f}"
                f" {statistics.mean(page_cpu[label + ' db']) * 1000:8.0f}"
                if alone
                else ""
            )
            print(
                f"{label:30} {statistics.median(values):8.0f} {percentile(values, 0.95):8.0f} "
                f"{max(values):8.0f} {len(values):5d}{cpu_columns}"
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
        load(port, pages, users=WORKERS, requests=WORKERS)
        load(
            port, pages, users=1, requests=max(5, REQUESTS // 4), server_pid=server.pid,
            title="1. one user alone (service time; CPU per request of each page, mean ms)",
        )  # fmt: skip
        load(
            port, pages, users=USERS, requests=REQUESTS, think=THINK, server_pid=server.pid,
            title=f"2. {USERS} concurrent users, each reading a page {THINK[0]:g}-{THINK[1]:g} s "
            "(random) before the next (Locust's between(1, 3))",
        )  # fmt: skip
        load(
            port, pages, users=USERS, requests=REQUESTS, server_pid=server.pid,
            title=f"3. stress: {USERS} users without think time (closed loop; the machine's "
            "saturation, requests/s)",
        )  # fmt: skip
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
