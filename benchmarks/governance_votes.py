"""Benchmark: governance (issue 13).

Not a test: run it against a throw-away PostgreSQL (it commits, and closed votes cannot be
deleted):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/governance_votes.py

Prints, with the targets of issue 13 and the load average beside each figure:
1. BENCH_VOTERS (default 5,000) secret votes cast through `services.vote_cast` by BENCH_CLIENTS
   (default 16) concurrent threads, each with its own database connection: p50/p95/max per vote
   and that exactly one ballot per voter was written (the service and the database under
   contention, not HTTP).
2. The tally of BENCH_BALLOTS (default 30,000) ballots of one resolution, from the ballot box to
   the verdicts (target < 2 s).
3. One vote POSTed to the API in process through the whole Django stack (middleware, token
   authentication, the view, the service): the queries it makes, and the CPU time of a vote
   averaged over BENCH_INPROCESS (default 200) votes, on an empty ballot box and again once
   every other vote of the run is in (does a vote cost more when the box is full?).
4. Over HTTP on loopback: gunicorn (BENCH_GUNICORN_WORKERS, default 4) serving the app, and
   BENCH_CLIENTS concurrent clients POSTing the votes of the BENCH_VOTERS voters to the API
   (`/api/v1/governance/assemblies/<id>/resolutions/<id>/votes/`, token authentication, one new
   connection per vote, the receipt code read from the answer): p50/p95/max per vote as the
   client sees it (target p95 < 200 ms), per fifth of the run (does p95 grow with the ballots
   already cast?), votes per second, the CPU per vote of the gunicorn workers and of the
   PostgreSQL server (all its processes: backends, WAL writer...), and that every vote was
   counted once.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

VOTERS = int(os.environ.get("BENCH_VOTERS", "5000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
BALLOTS = int(os.environ.get("BENCH_BALLOTS", "30000"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
IN_PROCESS = int(os.environ.get("BENCH_INPROCESS", "200"))
CHOICES = ["for", "against", "abstain"]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    return f"p50 {ms(statistics.median(timings))}, p95 {ms(p95)}, max {ms(timings[-1])}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def seed(count: int):
    """An entity, `count` members with one share each, an assembly convened with three
    resolutions (service, HTTP, tally): (assembly, resolutions, users)."""
    from django.utils import timezone

    from governance import services
    from members.models import Member, RegisterEntry
    from smartcoop.core.demo import be_employer_number, be_enterprise_number
    from smartcoop.core.models import LegalEntity, User

    coop = LegalEntity.objects.create(
        slug="bench-coop",
        name="Bench coop",
        legal_form="SC",
        is_cooperative=True,
        enterprise_number=be_enterprise_number(3_000_001),
        vat_number=f"BE{be_enterprise_number(3_000_001)}",
        employer_number=be_employer_number(1_300_001),
        street="Koolmijnenkaai 30",
        postcode="1080",
        city="Brussel",
        country="BE",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        default_language="nl",
        invoice_series_prefix="BC",
        credit_note_series_prefix="BCC",
    )
    services.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    started = time.perf_counter()
    users = User.objects.bulk_create(
        [
            User(email=f"voter{i}@example.org", first_name="V", last_name=str(i))
            for i in range(count)
        ]
    )
    members = Member.objects.bulk_create(
        [
            Member(
                user=u,
                email=u.email,
                status="member",
                member_number=i + 1,
                first_name="V",
                last_name=str(i),
            )
            for i, u in enumerate(users)
        ]
    )
    RegisterEntry.objects.bulk_create(
        [
            RegisterEntry(
                entity=coop,
                member=m,
                entry_date=date(2025, 1, 1),
                kind="subscription",
                category="A",
                shares=1,
                unit_price=Decimal("25"),
                amount=Decimal("25"),
            )
            for m in members
        ],
        batch_size=2000,
    )
    now = timezone.now()
    assembly = services.assembly_create(
        actor=None,
        entity=coop,
        kind="ordinary",
        title="Bench assembly",
        starts_at=now + timedelta(days=30),
        record_date=date(2026, 1, 1),
        vote_opens_at=now - timedelta(hours=1),
        vote_closes_at=now + timedelta(days=31),
    )
    resolution = services.resolution_add(actor=None, assembly=assembly, title="Vote")
    http_resolution = services.resolution_add(actor=None, assembly=assembly, title="Over HTTP")
    tally_resolution = services.resolution_add(actor=None, assembly=assembly, title="Tally")
    in_process = services.resolution_add(actor=None, assembly=assembly, title="In process")
    services.assembly_convene(actor=None, assembly=assembly, today=date(2026, 1, 2))
    print(f"seeded {count} voters in {time.perf_counter() - started:.1f} s")

    return assembly, (resolution, http_resolution, tally_resolution, in_process), users


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from rest_framework.authtoken.models import Token

    assembly, (resolution, http_resolution, tally_resolution, in_process), users = seed(VOTERS)
    tokens = [
        t.key
        for t in Token.objects.bulk_create(
            [Token(user=u, key=Token.generate_key()) for u in users], batch_size=2000
        )
    ]
    api = InProcessApi(assembly, in_process)
    print(
        f"3. one vote through the whole Django stack, in process: {api.queries(tokens[0])} queries"
    )
    early = api.cpu_per_vote(tokens[1 : IN_PROCESS + 1])
    print(
        f"   CPU per vote, in process, on an empty ballot box: {ms(early)} "
        f"({IN_PROCESS} votes; {load()})"
    )
    through_the_service(assembly, resolution)
    tally(assembly, tally_resolution)
    over_http(assembly, http_resolution, tokens)
    late = api.cpu_per_vote(tokens[-IN_PROCESS:])
    print(
        f"3. CPU per vote, in process, with {2 * VOTERS + BALLOTS:,} ballots in the box: "
        f"{ms(late)} (against {ms(early)} empty; {load()})"
    )


class InProcessApi:
    """The vote API called through Django's WSGI handler in this process (no HTTP, no socket):
    the queries and the CPU time of the Django stack alone."""

    def __init__(self, assembly, resolution) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.path = (
            f"/api/v1/governance/assemblies/{assembly.public_id}/resolutions/"
            f"{resolution.public_id}/votes/"
        )

    def post(self, token: str) -> None:
        import io

        body = json.dumps({"choice": "for"}).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": self.path,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Token {token}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
        }
        status = []
        answer = b"".join(self.handler(environ, lambda s, h, e=None: status.append(s)))
        assert status[0].startswith("201"), (status, answer[:300])

    def queries(self, token: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.post(token)
        return len(queries)

    def cpu_per_vote(self, tokens: list[str]) -> float:
        begin = time.process_time()
        for token in tokens:
            self.post(token)
        return (time.process_time() - begin) / len(tokens)


def through_the_service(assembly, resolution) -> None:
    from django.db import connection

    from governance import services
    from governance.models import Ballot, Voter, VoteRecord

    voters = list(Voter.objects.filter(assembly=assembly))
    timings: list[float] = []
    lock = threading.Lock()

    def cast(index: int) -> None:
        begin = time.perf_counter()
        services.vote_cast(
            actor=None, resolution=resolution, voter=voters[index], choice=CHOICES[index % 3]
        )
        elapsed = time.perf_counter() - begin
        with lock:
            timings.append(elapsed)

    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(cast, range(len(voters))))
    wall = time.perf_counter() - wall
    connection.close()
    print(
        f"1. {len(timings)} votes through the service by {CLIENTS} concurrent threads in "
        f"{wall:.1f} s ({len(timings) / wall:.0f}/s): {percentiles(timings)}; {load()}"
    )
    records = VoteRecord.objects.filter(resolution=resolution).count()
    ballots = Ballot.objects.filter(resolution=resolution).count()
    print(f"   has-voted rows {records}, ballots {ballots} (expected {len(voters)} each)")


def tally(assembly, resolution) -> None:
    import secrets

    from django.utils import timezone

    from governance import calculations, selectors
    from governance.models import Assembly, Ballot

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    Ballot.objects.bulk_create(
        [
            Ballot(
                receipt="".join(secrets.choice(alphabet) for _ in range(12)),
                resolution=resolution,
                college="",
                weight=1,
                choice=CHOICES[i % 3],
                change_key_hash="0" * 64,
            )
            for i in range(BALLOTS)
        ],
        batch_size=5000,
    )
    closes = assembly.vote_closes_at
    Assembly.objects.filter(pk=assembly.pk).update(vote_closes_at=timezone.now())
    begin, cpu = time.perf_counter(), time.process_time()
    result = calculations.tally(
        ballots=selectors.ballots_of(resolution=resolution),
        totals=selectors.college_totals(assembly=assembly),
        majority="simple",
        abstentions_count=False,
        quorum_percent=Decimal(0),
        college_quorum_percent=Decimal(0),
        quorum_required=True,
        by_college=False,
    )
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
    assert result.overall is not None
    counted = result.overall.count.votes_for + result.overall.count.against
    counted += result.overall.count.abstain
    print(
        f"2. tally of {counted} ballots in {ms(elapsed)} (target < 2 s), of which Python CPU "
        f"{ms(cpu)}; {load()}"
    )
    Assembly.objects.filter(pk=assembly.pk).update(vote_closes_at=closes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_pids() -> list[int]:
    """Every process of the PostgreSQL server (the postmaster's children: backends, WAL
    writer, checkpointer...) but the backend of this process."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours = cursor.fetchone()[0]
    postmaster = psutil.Process(ours).parent()
    return [p.pid for p in postmaster.children() if p.pid != ours]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    import psutil

    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        seconds[pid] = times.user + times.system
    return seconds


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two samples; a process that started in between counts in full."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def over_http(assembly, resolution, tokens: list[str]) -> None:
    """The votes POSTed to the API by concurrent clients, through gunicorn on loopback."""
    import psutil
    from django.db import connection, connections

    from governance.models import Ballot, VoteRecord

    connections.close_all()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, on loopback
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "smartcoop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
            "--access-logfile",
            os.devnull,
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        path = (
            f"/api/v1/governance/assemblies/{assembly.public_id}/resolutions/"
            f"{resolution.public_id}/votes/"
        )

        def post(index: int) -> tuple[float, int, str]:
            begin = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(
                "POST",
                path,
                body=json.dumps({"choice": CHOICES[index % 3]}),
                headers={
                    "Authorization": f"Token {tokens[index]}",
                    "Content-Type": "application/json",
                    "Host": "127.0.0.1",
                },
            )
            response = conn.getresponse()
            body = response.read()
            conn.close()
            code = json.loads(body).get("code", "") if response.status == 201 else ""
            return time.perf_counter() - begin, response.status, code

        # Each gunicorn worker imports and warms up on its first requests: not measured.
        warm_count = 4 * GUNICORN_WORKERS
        warm = [post(i) for i in range(warm_count)]
        workers = [child.pid for child in psutil.Process(server.pid).children()]
        database = postgres_pids()
        web_before, db_before = cpu_by_pid(workers), cpu_by_pid(database)
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            measured = list(pool.map(post, range(warm_count, len(tokens))))
        wall = time.perf_counter() - wall
        web_cpu = cpu_spent(web_before, cpu_by_pid(workers))
        db_cpu = cpu_spent(db_before, cpu_by_pid(postgres_pids()))
        results = warm + measured
        timings = [r[0] for r in measured]
        statuses: dict[int, int] = {}
        for _elapsed, status, _code in results:
            statuses[status] = statuses.get(status, 0) + 1
        codes = sum(1 for r in results if len(r[2]) == 27)
        count = len(timings)
        print(
            f"4. over HTTP: {count} votes by {CLIENTS} concurrent clients, gunicorn "
            f"{GUNICORN_WORKERS} workers, in {wall:.1f} s ({count / wall:.0f} votes/s): "
            f"{percentiles(timings)} (target p95 < 200 ms); {load()}"
        )
        print(
            f"   CPU per vote: web {ms(web_cpu / count)} + PostgreSQL {ms(db_cpu / count)} "
            f"= {ms((web_cpu + db_cpu) / count)}"
        )
        fifth = count // 5
        for part in range(5):
            chunk = timings[part * fifth : (part + 1) * fifth]
            print(f"   votes {part * fifth + 1:>5}-{(part + 1) * fifth:<5} {percentiles(chunk)}")
        print(f"   statuses {statuses}, receipt codes {codes}")
        records = VoteRecord.objects.filter(resolution=resolution).count()
        ballots = Ballot.objects.filter(resolution=resolution).count()
        print(f"   has-voted rows {records}, ballots {ballots} (expected {len(tokens)} each)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        connection.close()


if __name__ == "__main__":
    main()
