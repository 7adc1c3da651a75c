"""Benchmark: the advisers' portfolio at 30,000 members (issue 3: p95 < 150 ms, first page).

Not a test: run it on the machine you want figures for, against a real PostgreSQL:

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/members_portfolio.py

It migrates the database it is given, seeds 30,000 members over 25 offices (with encrypted
national numbers and IBANs, as in production) inside one transaction, requests the first page of
the portfolio through the whole Django stack (middleware, selector, paginator, template) as an
adviser (one office) and as staff who see every member, with and without a search, prints p50
and p95, then rolls everything back.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "30000"))
OFFICES = 25
RUNS = int(os.environ.get("BENCH_RUNS", "200"))


class Rollback(Exception):
    pass


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django_scopes import scopes_disabled

    from members.models import Member
    from members.selectors import member_portfolio
    from smartcoop.core.fields import blind_index
    from smartcoop.core.models import Office, User
    from smartcoop.core.roles import Role
    from smartcoop.core.sectors import Sector

    settings.ALLOWED_HOSTS = ["*"]
    sectors = list(Sector.values)
    statuses = ["applicant", "member", "member", "active", "active", "active", "resigned"]
    first_names = ["Lena", "Tom", "Sara", "Jonas", "Amal", "Luca", "Marie", "Noah", "Emma", "Yusuf"]

    try:
        with scopes_disabled(), transaction.atomic():
            started = time.monotonic()
            offices = Office.objects.bulk_create(
                Office(
                    name=f"Bench office {i}",
                    city=f"City {i}",
                    postcode_ranges=f"{1000 + i * 100}-{1099 + i * 100}",
                )
                for i in range(OFFICES)
            )
            advisers = []
            for i, office in enumerate(offices):
                for j in range(5):
                    advisers.append(
                        User.objects.create_user(
                            f"bench-adviser-{i}-{j}@example.org",
                            "x" * 12,
                            role=Role.ADVISER,
                            office=office,
                            first_name="Adviser",
                            last_name=f"{i}-{j}",
                        )
                    )
            accountant = User.objects.create_user(
                "bench-accountant@example.org", "x" * 12, role=Role.ACCOUNTANT
            )
            for user in (advisers[0], accountant):
                TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
            batch = []
            for n in range(MEMBERS):
                office = offices[n % OFFICES]
                number = f"{n:011d}"
                batch.append(
                    Member(
                        first_name=first_names[n % len(first_names)],
                        last_name=f"Name{(n * 7919) % MEMBERS:05d}",
                        email=f"bench{n}@example.org",
                        status=statuses[n % len(statuses)],
                        member_number=n + 1 if n % 7 else None,
                        office=office,
                        adviser=advisers[(n % OFFICES) * 5 + (n // OFFICES) % 5]
                        if n % 40
                        else None,
                        sector=sectors[n % len(sectors)],
                        national_number=number,
                        national_number_index=blind_index(number),
                        iban="BE68539007547034",
                        onboarding_step="done",
                    )
                )
                if len(batch) == 2000:
                    Member.objects.bulk_create(batch)
                    batch = []
            Member.objects.bulk_create(batch)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE members_member")
                cursor.execute("ANALYZE members_sharesubscription")
            print(f"seeded {MEMBERS} members in {time.monotonic() - started:.1f} s")

            cases = [
                ("adviser, first page", advisers[0], {}),
                ("adviser, search 'name12'", advisers[0], {"q": "name12"}),
                ("adviser, needs attention", advisers[0], {"attention": "1"}),
                ("all members (accountant), first page", accountant, {}),
                (
                    "all members, status=active, sector",
                    accountant,
                    {"status": "active", "sector": sectors[3]},
                ),
                ("all members, search 'name12'", accountant, {"q": "name12"}),
            ]
            print(f"{'case':45} {'p50 ms':>8} {'p95 ms':>8} {'rows':>7}")
            for label, user, params in cases:
                client = Client()
                client.force_login(user)
                response = client.get("/members/staff/portfolio/", params)  # warm-up
                assert response.status_code == 200, response.status_code
                rows = member_portfolio(
                    user=user,
                    search=params.get("q", ""),
                    status=params.get("status", ""),
                    sector=params.get("sector", ""),
                    needs_attention=params.get("attention") == "1",
                ).count()
                timings = []
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    client.get("/members/staff/portfolio/", params)
                    timings.append((time.perf_counter() - t0) * 1000)
                p50 = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[18]
                print(f"{label:45} {p50:8.1f} {p95:8.1f} {rows:7d}")
            raise Rollback
    except Rollback:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
