"""Benchmarks of the issue (not part of the normal run; run explicitly):

    .venv/bin/python scripts/services.py --ephemeral -- \
        .venv/bin/pytest tests/activities/bench_budget.py -q -s

- an Activity with five years of entries (~2,000): member dashboard p95 < 150 ms;
- the available budget of 20,000 Activities recomputed in < 2 s.
"""

import datetime as dt
import random
import statistics
import time
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from activities import selectors
from activities.models import Activity, EmploymentContract, LedgerEntry
from tests.activities.factories import ActivityFactory, make_member

pytestmark = pytest.mark.django_db


def _entries(activity, count, start):
    rng = random.Random(activity.pk)
    rows = []
    for index in range(count):
        day = start + dt.timedelta(days=index * 1826 // count)
        kind, sign = rng.choice(
            [
                ("client_payment", 1),
                ("management_fee", -1),
                ("salary_cost", -1),
                ("expense_reimbursement", -1),
            ]
        )
        rows.append(
            LedgerEntry(
                entity_id=activity.entity_id,
                activity=activity,
                kind=kind,
                amount=Decimal(rng.randint(100, 200_000)) / 100 * sign,
                booked_on=day,
                source_type="bench",
                source_id=uuid.uuid4().hex,
            )
        )
    LedgerEntry.objects.bulk_create(rows, batch_size=5000)


def test_dashboard_p95_with_five_years_of_entries(client):
    member = make_member()
    activity = ActivityFactory(coordinator=member)
    today = dt.date.today()
    _entries(activity, 2000, today - dt.timedelta(days=1826))
    client.force_login(member.user)
    url = reverse("activities:detail", args=[activity.public_id])
    client.get(url)  # warm up
    timings = []
    for _ in range(60):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"\ndashboard, 2,000 entries: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms"
    )
    assert p95 < 150


def test_available_budget_of_20000_activities(entity):
    member = make_member()
    activities = Activity.objects.bulk_create(
        [
            Activity(
                entity=entity, name=f"A{i}", sector="music", status="active", coordinator=member
            )
            for i in range(20_000)
        ],
        batch_size=5000,
    )
    today = dt.date.today()
    rows = []
    contracts = []
    for index, activity in enumerate(activities):
        for n in range(5):
            rows.append(
                LedgerEntry(
                    entity_id=entity.pk,
                    activity=activity,
                    kind="client_payment",
                    amount=Decimal("100.00") + n,
                    booked_on=today,
                    source_type="bench",
                    source_id=f"{index}-{n}",
                )
            )
        if index % 4 == 0:
            start = today + dt.timedelta(days=index)  # one member: no overlapping days
            contracts.append(
                EmploymentContract(
                    entity=entity,
                    member=member,
                    activity=activity,
                    contract_type="employee",
                    tool="activity",
                    start_date=start,
                    end_date=start,
                    hours=8,
                    days=1,
                    workplace_country="BE",
                    function="x",
                    sector="music",
                    gross_wage=Decimal("50"),
                    coefficient=Decimal("1.55"),
                    employer_cost=Decimal("77.50"),
                )
            )
    LedgerEntry.objects.bulk_create(rows, batch_size=10_000)
    EmploymentContract.objects.bulk_create(contracts, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        figures = list(
            selectors.with_budget(Activity.objects.filter(entity=entity)).values_list(
                "pk", "available"
            )
        )
        timings.append(time.perf_counter() - started)
    assert len(figures) == 20_000
    print(
        f"\navailable of 20,000 Activities (100,000 entries): best {min(timings):.2f} s, "
        f"worst {max(timings):.2f} s"
    )
    assert max(timings) < 2
