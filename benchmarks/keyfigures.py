"""Benchmark: the key figures of a year on smart-be scale data (issue 14: < 5 s for one year).

Not a test: figures are printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/keyfigures.py

Seeds one year with `seed_scale --profile smart-be --factor BENCH_FACTOR` (default 0.05: the
bench must stay short on a shared machine; the time scales about linearly with the factor),
prints the seeding time and rows per second, the key figures of the year (all entities: ~30
GROUP BY queries) median of 3 with the query count, and the page through the whole Django stack
(accountant, p50/p95 of BENCH_RUNS sequential requests), then rolls everything back.
BENCH_EXPLAIN=1 prints the EXPLAIN ANALYZE of the three slowest key-figure queries.
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

FACTOR = float(os.environ.get("BENCH_FACTOR", "0.05"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))


class Rollback(Exception):
    pass


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from keyfigures import report, scale
    from keyfigures.selectors import Scope
    from smartcoop.core.models import LegalEntity, User

    year = timezone.localdate().year - 1
    try:
        with transaction.atomic(), scopes_disabled():
            started = time.monotonic()
            counts = scale.seed(profile=scale.SMART_BE, factor=FACTOR, years=1, last_year=year)
            seeded = time.monotonic() - started
            print(f"seed_scale smart-be factor {FACTOR}, one year: {seeded:.1f} s ({counts})")
            print(f"  extrapolated to factor 1: ~{seeded / FACTOR / 60:.0f} min (linear)")
            problems = scale.check_invariants()
            print(f"  invariants: {problems or 'hold'}")
            ids = tuple(LegalEntity.objects.values_list("pk", flat=True))
            timings = []
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    t = time.monotonic()
                    report.build(Scope(year=year, entity_ids=ids))
                    timings.append(time.monotonic() - t)
            print(
                f"key figures {year}, all entities: median {statistics.median(timings) * 1000:.0f}"
                f" ms, {len(queries)} queries"
            )
            if os.environ.get("BENCH_EXPLAIN") == "1":  # the plans of the three slowest queries
                slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
                for query in slowest:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    print(f"--- {float(query['time']) * 1000:.0f} ms: {query['sql'][:300]}\n{plan}")
            accountant = User.objects.get(email="accountant@smartcoop.demo")
            client = Client(SERVER_NAME="localhost")
            client.force_login(accountant)
            page = []
            for _ in range(RUNS):
                t = time.monotonic()
                response = client.get("/backoffice/key-figures/", {"year": year})
                page.append(time.monotonic() - t)
                assert response.status_code == 200, response.status_code
            page.sort()
            p95 = page[max(0, int(len(page) * 0.95) - 1)]
            print(
                f"key-figures page: p50 {statistics.median(page) * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms over {RUNS} sequential requests"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
