"""Benchmark: invoicing (issue 5).

Not a test: run it against a throw-away PostgreSQL (it commits, and issued invoices cannot be
deleted):

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/invoicing.py

Prints, with the targets of issue 5:
1. issuing one invoice (number + snapshot + lines, no PDF): p50/p95 (target p50 < 50 ms);
2. PDF throughput of the renderer (stylesheet parsed once, one shared font configuration) against
   a naive `HTML(string=...).write_pdf()` per document with the same template, side by side,
   serial and with a 2-process pool (target ratio >= 2x);
3. the daily reminder selection over BENCH_REMINDER_ROWS invoices (default 750,000, five years at
   Smart-Belgium scale; 4 % still open) (target < 5 s);
4. BENCH_ISSUERS processes (default 8) issuing BENCH_ISSUES_EACH invoices each (default 1,000) in
   one series: numbers exactly 1..N, no gap, no duplicate, dates non-decreasing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

ISSUES = int(os.environ.get("BENCH_ISSUES", "300"))
PDFS = int(os.environ.get("BENCH_PDFS", "24"))
REMINDER_ROWS = int(os.environ.get("BENCH_REMINDER_ROWS", "750000"))
ISSUERS = int(os.environ.get("BENCH_ISSUERS", "8"))
ISSUES_EACH = int(os.environ.get("BENCH_ISSUES_EACH", "1000"))

LINES = [
    {
        "description": "Sound engineering",
        "quantity": Decimal("8"),
        "unit": "HUR",
        "unit_price": Decimal("65"),
        "vat_rate_code": "standard",
    },
    {
        "description": "Light design",
        "quantity": Decimal("1.5"),
        "unit": "DAY",
        "unit_price": Decimal("333.3333"),
        "vat_rate_code": "reduced",
    },
]


def setup_django() -> None:
    import django

    django.setup()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def fixtures(suffix: str):
    from activities.models import Activity, ActivityMembership
    from invoicing import services
    from members.models import Member
    from smartcoop.core.demo import be_employer_number, be_enterprise_number
    from smartcoop.core.models import LegalEntity, User
    from smartcoop.core.sectors import Sector

    seq = abs(hash(suffix)) % 900_000 + 1000
    entity = LegalEntity.objects.create(
        slug=f"bench-{suffix}",
        name=f"Bench {suffix}",
        legal_form="vzw",
        enterprise_number=be_enterprise_number(2_000_000 + seq),
        vat_number=f"BE{be_enterprise_number(2_000_000 + seq)}",
        employer_number=be_employer_number(1_200_000 + seq),
        street="Koolmijnenkaai 30",
        postcode="1080",
        city="Brussel",
        country="BE",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        default_language="nl",
        invoice_series_prefix="B" + suffix[:3].upper(),
        credit_note_series_prefix="C" + suffix[:3].upper(),
    )
    user = User.objects.create_user(f"bench-{suffix}@example.org", "x" * 12)
    member = Member.objects.create(user=user, status="active", email=user.email)
    activity = Activity.objects.create(
        entity=entity, name="Bench", sector=Sector.MUSIC, status="active", coordinator=member
    )
    ActivityMembership.objects.create(activity=activity, member=member, can_invoice=True)
    client = services.client_create(
        entity=entity,
        actor=user,
        activity=activity,
        kind="company",
        name="Theater nv",
        street="Kunstlaan 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE0403170701",
        email="ap@example.org",
    )
    return entity, user, activity, client


def bench_issue() -> list:
    from invoicing import services

    _entity, user, activity, client = fixtures("issue")
    drafts = [
        services.invoice_draft_save(actor=user, activity=activity, client=client, lines=LINES)
        for _ in range(ISSUES)
    ]
    timings, issued = [], []
    for draft in drafts:
        started = time.perf_counter()
        issued.append(services.invoice_issue(invoice=draft, issued_by=user, on=date.today()))
        timings.append(time.perf_counter() - started)
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
    print(
        f"1. issue one invoice ({ISSUES} runs): p50 {ms(p50)}, p95 {ms(p95)} "
        f"(target p50 < 50 ms: {'OK' if p50 < 0.05 else 'MISSED'})"
    )
    return issued


def _render_naive(html_and_css: tuple[str, str]) -> int:
    from weasyprint import HTML

    html, css = html_and_css
    inline = html.replace("</head>", f"<style>{css}</style></head>", 1)
    return len(HTML(string=inline).write_pdf())


def _render_ours(html: str) -> int:
    from invoicing.documents.pdf import render_pdf

    return len(render_pdf(html))


def _pool_init() -> None:
    setup_django()
    from invoicing.documents.pdf import PRINT_CSS
    from smartcoop.core.pdf import _stylesheet

    _stylesheet(str(PRINT_CSS))  # parsed once per worker process


def bench_pdf(issued: list) -> None:
    from invoicing.documents.pdf import PRINT_CSS, invoice_html

    htmls = [invoice_html(inv.snapshot, visual_copy=True) for inv in issued[:PDFS]]
    css = PRINT_CSS.read_text()
    _render_ours(htmls[0])  # warm-up (imports, font discovery) for both
    _render_naive((htmls[0], css))
    started = time.perf_counter()
    for html in htmls:
        _render_naive((html, css))
    naive = time.perf_counter() - started
    started = time.perf_counter()
    for html in htmls:
        _render_ours(html)
    ours = time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    with context.Pool(2, initializer=_pool_init) as pool:
        pool.map(_render_ours, htmls[:2])  # warm-up the workers
        started = time.perf_counter()
        pool.map(_render_ours, htmls, chunksize=2)
        pooled = time.perf_counter() - started
    rate = lambda t: PDFS / t  # noqa: E731
    verdict = lambda ratio: "OK" if ratio >= 2 else "MISSED"  # noqa: E731
    print(
        f"2. PDF throughput ({PDFS} invoices): naive {rate(naive):.1f}/s; renderer in one "
        f"process {rate(ours):.1f}/s (x{naive / ours:.2f}, target >= x2: "
        f"{verdict(naive / ours)}); renderer with 2 worker processes {rate(pooled):.1f}/s "
        f"(x{naive / pooled:.2f}, target >= x2: {verdict(naive / pooled)})"
    )


def bench_reminders() -> None:
    from django.db import connection, transaction

    from invoicing.models import Invoice
    from invoicing.selectors import invoices_due_for_reminder

    entity, _user, activity, client = fixtures("remind")
    today = date.today()
    started = time.perf_counter()
    # Five years of invoices: 96 % paid, 4 % open with due dates spread over the last year. The
    # columns that vary are SQL over g; every other column gets its model default, so a new
    # field does not break this insert.
    varying = {
        "public_id": "gen_random_uuid()",
        "created_at": "now()",
        "updated_at": "now()",
        "entity_id": "%(entity)s",
        "kind": "'invoice'",
        "status": "CASE WHEN g %% 25 = 0 THEN 'issued' ELSE 'paid' END",
        "activity_id": "%(activity)s",
        "client_id": "%(client)s",
        "series": "'R'",
        "year": "2021 + g / 150000",
        "number": "g",
        "reference": "'R-' || g",
        "issue_date": "%(today)s::date - (g %% 1825)",
        "payment_days": "30",
        "due_date": "%(today)s::date - (g %% 1825) + 30",
        "currency": "'EUR'",
        "vat_regime": "'domestic'",
        "total_excl_vat": "1000",
        "total_vat": "210",
        "total_incl_vat": "1210",
        "amount_paid": "CASE WHEN g %% 25 = 0 THEN 0 ELSE 1210 END",
        "snapshot": "%(snapshot)s::jsonb",
        "link_key": "md5(g::text)",
    }
    columns, values, params = [], [], {}
    for field in Invoice._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in varying:
            values.append(varying[field.column])
        elif field.null and not field.has_default():
            values.append("NULL")
        else:
            key = f"default_{field.column}"
            default = field.get_prep_value(field.get_default())
            params[key] = (
                json.dumps(default) if field.get_internal_type() == "JSONField" else default
            )
            values.append(
                f"%({key})s" + ("::jsonb" if field.get_internal_type() == "JSONField" else "")
            )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Invoice._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 (ours)
            f"SELECT {', '.join(values)} FROM generate_series(1, %(rows)s) AS g",
            {
                **params,
                "entity": entity.pk,
                "activity": activity.pk,
                "client": client.pk,
                "today": today,
                "rows": REMINDER_ROWS,
                "snapshot": '{"client": {"kind": "company"}}',
            },
        )
        cursor.execute(f"ANALYZE {Invoice._meta.db_table}")
    print(f"   (inserted {REMINDER_ROWS:,} invoices in {time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    with transaction.atomic():
        rows = 0
        last = 0
        while True:
            batch = list(
                invoices_due_for_reminder(on=today)
                .filter(pk__gt=last)
                .order_by("pk")
                .select_for_update(of=("self",), skip_locked=True)
                .values_list("pk", "due_date")[:500]
            )
            if not batch:
                break
            last = batch[-1][0]
            rows += len(batch)
        transaction.set_rollback(True)
    elapsed = time.perf_counter() - started
    print(
        f"3. reminder selection over {REMINDER_ROWS:,} invoices: {rows:,} candidates in "
        f"{elapsed:.2f} s (target < 5 s: {'OK' if elapsed < 5 else 'MISSED'})"
    )


def _issuer(args: tuple[int, list[int], int]) -> int:
    _worker, ids, _user_id = args
    setup_django()
    from django.db import connection
    from django_scopes import scopes_disabled

    from invoicing import services
    from invoicing.models import Invoice

    connection.close()
    with scopes_disabled():
        for pk in ids:
            invoice = Invoice.objects.get(pk=pk)
            services.invoice_issue(invoice=invoice, issued_by=None, on=date.today())
    return len(ids)


def bench_concurrency() -> None:
    from django.db import connection

    from invoicing import services
    from invoicing.models import Invoice

    entity, user, activity, client = fixtures("concurrent")
    total = ISSUERS * ISSUES_EACH
    ids = [
        services.invoice_draft_save(actor=user, activity=activity, client=client, lines=LINES).pk
        for _ in range(total)
    ]
    connection.close()
    chunks = [(w, ids[w::ISSUERS], user.pk) for w in range(ISSUERS)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(ISSUERS) as pool:
        done = sum(pool.map(_issuer, chunks))
    elapsed = time.perf_counter() - started
    rows = list(
        Invoice.objects.filter(entity=entity, number__isnull=False)
        .order_by("number")
        .values_list("number", "issue_date")
    )
    numbers = [n for n, _d in rows]
    dates_ok = all(rows[i][1] <= rows[i + 1][1] for i in range(len(rows) - 1))
    ok = numbers == list(range(1, total + 1)) and dates_ok and done == total
    print(
        f"4. {ISSUERS} processes x {ISSUES_EACH} issues: {done:,} in {elapsed:.1f} s "
        f"({done / elapsed:.0f}/s); numbers 1..{total} without gap or duplicate and dates "
        f"non-decreasing: {'OK' if ok else 'FAILED'}"
    )


def main() -> None:
    setup_django()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
    with scopes_disabled():
        issued = bench_issue()
        if not only or "pdf" in only:
            bench_pdf(issued)
        if not only or "reminders" in only:
            bench_reminders()
        if not only or "concurrency" in only:
            bench_concurrency()


if __name__ == "__main__":
    main()
