"""Benchmark: the key figures of a year on smart-be scale data (issue 14: < 5 s for one year).

Not a test: figures are printed, never gating.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/keyfigures.py
    BENCH_DATABASE_URL=postgres://…/smartcoop .venv/bin/python benchmarks/keyfigures.py

Without `BENCH_DATABASE_URL` it seeds `seed_scale --profile smart-be --factor BENCH_FACTOR
--years BENCH_YEARS` (default 0.05 and 1) and prints the seeding time; with it, it reads a
database already seeded (the shared factor-1 one) and migrates nothing. Then, in one run and
inside a transaction that is rolled back (the stored-aggregates table is created in it when the
database does not have it):

- the figures of the last closed year computed live the former way (one COUNT(DISTINCT) query a
  table, 9 queries) against the new way (one pass per source, 3 queries), each query timed;
- `report.build` of that year (the page's figures: the year and the year before) live, with
  every query's time, the Python CPU and the PostgreSQL backend's CPU;
- the same page once the closed years are stored aggregates (`keyfigures.stored`), and the
  current year's page (computed live beside the stored previous year);
- the key-figures page through the whole Django stack (accountant, p50/p95 of BENCH_RUNS).

`cat /proc/loadavg` is printed beside each figure: the machine is shared, wall times are noisy.
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
YEARS = int(os.environ.get("BENCH_YEARS", "1"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GIVEN_DATABASE = os.environ.get("BENCH_DATABASE_URL", "")


class Rollback(Exception):
    pass


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (user + system)."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


class Meter:
    """Wall, Python CPU and PostgreSQL backend CPU of a block, with its queries."""

    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.queries = CaptureQueriesContext(connection)
        self.queries.__enter__()
        self.db0, self.cpu0, self.t0 = backend_cpu(), time.process_time(), time.monotonic()
        return self

    def __exit__(self, *exc):
        self.wall = time.monotonic() - self.t0
        self.cpu = time.process_time() - self.cpu0
        self.queries.__exit__(*exc)
        self.db = backend_cpu() - self.db0

    def line(self, label: str) -> str:
        return (
            f"{label}: wall {self.wall * 1000:,.0f} ms, Python CPU {self.cpu * 1000:,.0f} ms, "
            f"PostgreSQL CPU {self.db * 1000:,.0f} ms, {len(self.queries)} queries "
            f"(load {load()})"
        )

    def slowest(self, n: int = 8) -> str:
        rows = sorted(self.queries.captured_queries, key=lambda q: -float(q["time"]))[:n]
        return "\n".join(
            f"    {float(q['time']) * 1000:8,.0f} ms  {' '.join(q['sql'].split())[:110]}"
            for q in rows
        )


def former_queries(scope) -> None:
    """The tables with distinct counts as they were computed before (one GROUP BY a table, each
    COUNT(DISTINCT) sorting every row of the year): kept here to measure the ratio."""
    from django.db.models import Count, F, Q, Sum

    from invoicing.models import Invoice
    from keyfigures import selectors as s

    figures = {
        "invoiced": s._money(Sum("total_excl_vat", filter=Q(kind=Invoice.Kind.INVOICE))),
        "credited": s._money(Sum("total_excl_vat", filter=Q(kind=Invoice.Kind.CREDIT_NOTE))),
        "turnover": s._money(Sum(s._signed_excl_vat())),
        "invoices": Count("pk", filter=Q(kind=Invoice.Kind.INVOICE)),
        "clients": Count("client_id", distinct=True),
    }
    docs = s.issued_documents(scope).order_by()
    list(docs.values("entity_id", "entity__name").annotate(**figures))
    list(docs.values("client__country").annotate(**figures))
    list(docs.annotate(tool=s._tool_of_invoice()).values("tool").annotate(**figures))
    work = {
        "work_budget": s._money(Sum("employer_cost")),
        "gross": s._money(Sum("gross_wage")),
        "workers": Count("member_id", distinct=True),
        "contracts": Count("pk"),
        "hours": Sum("hours"),
        "days": Sum("days"),
    }
    contracts = s.paid_contracts(scope).order_by()
    for column in s.WORK_DIMENSIONS.values():
        list(contracts.annotate(key=F(column)).values("key").annotate(**work))
    contracts.aggregate(**work)
    from payroll.models import Payslip

    Payslip.objects.with_scopes_disabled().filter(
        entity_id__in=scope.entity_ids, status=Payslip.Status.APPROVED, pay_date__year=scope.year
    ).aggregate(members=Count("member_id", distinct=True), gross=Sum("gross"))


def new_queries(scope) -> None:
    from keyfigures import selectors

    selectors.invoice_tables(scope)
    selectors.work_tables(scope)
    selectors.payroll_totals(scope)


def measure(year: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from keyfigures import report, stored
    from keyfigures.models import YearFigures
    from keyfigures.selectors import Scope
    from smartcoop.core.models import LegalEntity, User

    if YearFigures._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor(atomic=False) as editor:  # rolled back with the rest
            editor.create_model(YearFigures)
    YearFigures.objects.all().delete()
    ids = tuple(LegalEntity.objects.order_by("pk").values_list("pk", flat=True))
    scope = Scope(year=year, entity_ids=ids)
    print(f"year {year}, all {len(ids)} entities (load {load()})")

    for round_ in range(2):  # interleaved, twice: former and new in the same conditions
        with Meter() as former:
            former_queries(scope)
        with Meter() as new:
            new_queries(scope)
        print(f"  round {round_ + 1}")
        print("  " + former.line("tables with distinct counts, former (9 queries)"))
        print("  " + new.line("the same tables, one pass per source (3 queries)"))
        print(
            f"    ratio wall {former.wall / new.wall:.1f}x, PostgreSQL CPU "
            f"{former.db / max(new.db, 1e-3):.1f}x"
        )

    live = []
    for _ in range(2):
        with Meter() as m:
            report.build(scope)
        live.append(m)
    best = min(live, key=lambda m: m.wall)
    print(best.line(f"key figures {year} computed live (the year and the year before)"))
    print(best.slowest())

    with Meter() as m:
        stored.store_year(scope)
        stored.store_year(scope.previous())
    print(m.line(f"storing {year} and {year - 1} as yearly aggregates (the worker's task)"))
    with Meter() as m:
        figures = report.build(scope, source=stored.figures_for)
    print(m.line(f"key figures {year} from the stored aggregates"))
    assert figures.tables == report.build(scope).tables, "stored and live figures differ"
    current = Scope(year=timezone.localdate().year, entity_ids=ids)
    with Meter() as m:
        report.build(current, source=stored.figures_for)
    print(m.line(f"key figures {current.year} (live) beside {year} (stored)"))

    accountant = User.objects.get(email="accountant@smartcoop.demo")
    client = Client(SERVER_NAME="localhost")
    client.force_login(accountant)
    for label, query in (("closed year, stored", {"year": year}), ("current year", {})):
        page = []
        for _ in range(RUNS):
            t = time.monotonic()
            response = client.get("/backoffice/key-figures/", query)
            page.append(time.monotonic() - t)
            assert response.status_code == 200, response.status_code
        page.sort()
        p95 = page[max(0, int(len(page) * 0.95) - 1)]
        print(
            f"key-figures page ({label}): p50 {statistics.median(page) * 1000:,.0f} ms, "
            f"p95 {p95 * 1000:,.0f} ms over {RUNS} requests (load {load()})"
        )


def main() -> None:
    if GIVEN_DATABASE:
        os.environ["DATABASE_URL"] = GIVEN_DATABASE
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from keyfigures import scale

    year = timezone.localdate().year - 1
    if not GIVEN_DATABASE:
        call_command("migrate", verbosity=0)
    try:
        with transaction.atomic(), scopes_disabled():
            if not GIVEN_DATABASE:
                started, cpu = time.monotonic(), time.process_time()
                counts = scale.seed(
                    profile=scale.SMART_BE, factor=FACTOR, years=YEARS, last_year=year
                )
                print(
                    f"seed_scale smart-be factor {FACTOR}, {YEARS} year(s): "
                    f"{time.monotonic() - started:.1f} s wall, "
                    f"{time.process_time() - cpu:.1f} s Python CPU (load {load()}) {counts}"
                )
                print(f"  invariants: {scale.check_invariants() or 'hold'}")
            measure(year)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
