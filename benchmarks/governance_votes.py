"""Benchmark: governance (issue 13).

Not a test: run it against a throw-away PostgreSQL (it commits, and closed votes cannot be
deleted):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/governance_votes.py

Prints, with the targets of issue 13:
1. BENCH_VOTERS (default 5,000) secret votes cast through `services.vote_cast` by BENCH_CLIENTS
   (default 16) concurrent threads, each with its own database connection: p50/p95 per vote
   (target p95 < 200 ms) and that exactly one ballot per voter was written. This measures the
   service and the database under contention (the unique "has voted" row, the audit row, the
   ballot), not HTTP: the page adds its session and CSRF checks on top.
2. The tally of BENCH_BALLOTS (default 30,000) ballots of one resolution, from the ballot box to
   the verdicts (target < 2 s).
3. Over HTTP on loopback: gunicorn (BENCH_GUNICORN_WORKERS, default 4) serving the app, and
   BENCH_CLIENTS concurrent clients each POSTing the votes of its share of the BENCH_VOTERS
   voters to the API (`/api/v1/governance/assemblies/<id>/resolutions/<id>/votes/`, token
   authentication, one new connection per vote, the receipt code read from the answer): p50/p95
   per vote as the client sees it (target p95 < 200 ms) and that every vote was counted once.
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


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import secrets

    from django.db import connection
    from django.utils import timezone

    from governance import calculations, selectors, services
    from governance.models import Assembly, Ballot, Voter, VoteRecord
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
            for i in range(VOTERS)
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
    services.assembly_convene(actor=None, assembly=assembly, today=date(2026, 1, 2))
    print(f"seeded {VOTERS} voters in {time.perf_counter() - started:.1f} s")

    voters = list(Voter.objects.filter(assembly=assembly).select_related("member"))
    choices = ["for", "against", "abstain"]
    timings: list[float] = []
    lock = threading.Lock()

    def cast(index: int) -> None:
        voter = voters[index]
        begin = time.perf_counter()
        services.vote_cast(
            actor=None, resolution=resolution, voter=voter, choice=choices[index % 3]
        )
        elapsed = time.perf_counter() - begin
        with lock:
            timings.append(elapsed)

    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(cast, range(len(voters))))
    wall = time.perf_counter() - wall
    connection.close()
    timings.sort()
    print(
        f"1. {len(timings)} votes by {CLIENTS} concurrent clients in {wall:.1f} s "
        f"({len(timings) / wall:.0f}/s): p50 {ms(statistics.median(timings))}, "
        f"p95 {ms(timings[int(len(timings) * 0.95) - 1])} (target p95 < 200 ms)"
    )
    records = VoteRecord.objects.filter(resolution=resolution).count()
    ballots = Ballot.objects.filter(resolution=resolution).count()
    print(f"   has-voted rows {records}, ballots {ballots} (expected {VOTERS} each)")

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    Ballot.objects.bulk_create(
        [
            Ballot(
                receipt="".join(secrets.choice(alphabet) for _ in range(12)),
                resolution=tally_resolution,
                college="",
                weight=1,
                choice=choices[i % 3],
                change_key_hash="0" * 64,
            )
            for i in range(BALLOTS)
        ],
        batch_size=5000,
    )
    Assembly.objects.filter(pk=assembly.pk).update(vote_closes_at=timezone.now())
    begin = time.perf_counter()
    result = calculations.tally(
        ballots=selectors.ballots_of(resolution=tally_resolution),
        totals=selectors.college_totals(assembly=assembly),
        majority="simple",
        abstentions_count=False,
        quorum_percent=Decimal(0),
        college_quorum_percent=Decimal(0),
        quorum_required=True,
        by_college=False,
    )
    elapsed = time.perf_counter() - begin
    assert result.overall is not None
    counted = result.overall.count.votes_for + result.overall.count.against
    counted += result.overall.count.abstain
    print(f"2. tally of {counted} ballots in {ms(elapsed)} (target < 2 s)")
    Assembly.objects.filter(pk=assembly.pk).update(vote_closes_at=now + timedelta(days=31))
    over_http(assembly, http_resolution, users)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def over_http(assembly, resolution, users) -> None:
    """5,000 votes POSTed to the API by concurrent clients, through gunicorn on loopback."""
    from django.db import connection, connections
    from rest_framework.authtoken.models import Token

    from governance.models import Ballot, VoteRecord

    tokens = Token.objects.bulk_create(
        [Token(user=u, key=Token.generate_key()) for u in users], batch_size=2000
    )
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
        choices = ["for", "against", "abstain"]

        def post(index: int) -> tuple[float, int, str]:
            begin = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(
                "POST",
                path,
                body=json.dumps({"choice": choices[index % 3]}),
                headers={
                    "Authorization": f"Token {tokens[index].key}",
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
        warm = [post(i) for i in range(GUNICORN_WORKERS)]
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = warm + list(pool.map(post, range(GUNICORN_WORKERS, len(tokens))))
        wall = time.perf_counter() - wall
        timings = sorted(r[0] for r in results[GUNICORN_WORKERS:])
        statuses: dict[int, int] = {}
        for _elapsed, status, _code in results:
            statuses[status] = statuses.get(status, 0) + 1
        codes = sum(1 for r in results if len(r[2]) == 27)
        print(
            f"3. over HTTP: {len(timings)} votes by {CLIENTS} concurrent clients, gunicorn "
            f"{GUNICORN_WORKERS} workers, in {wall:.1f} s ({len(timings) / wall:.0f}/s): "
            f"p50 {ms(statistics.median(timings))}, p95 {ms(timings[int(len(timings) * 0.95) - 1])}"
            f" (target p95 < 200 ms); statuses {statuses}, receipt codes {codes}"
        )
        records = VoteRecord.objects.filter(resolution=resolution).count()
        ballots = Ballot.objects.filter(resolution=resolution).count()
        print(f"   has-voted rows {records}, ballots {ballots} (expected {len(tokens)} each)")
        print(f"   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        connection.close()


if __name__ == "__main__":
    main()
