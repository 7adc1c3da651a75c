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
"""

from __future__ import annotations

import os
import statistics
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


if __name__ == "__main__":
    main()
