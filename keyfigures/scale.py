"""A deployment with the annual report's volumes and distributions (profile `smart-be`, Belgium
2020, DOMAIN.md §4-5), written with PostgreSQL COPY (`_copy`), for measuring the platform at
that size. Deterministic for a given seed. Used by `manage.py seed_scale`.

What it writes per year, times `factor`: invoices (numbered gap-free per entity, series and
year, with the NumberSequence brought level) and credit notes; payments with lateness; reminders
of the late ones; the client payment and fee in the Activities' ledgers; contracts paid in the
year with their salary cost in the ledger (one entry per contract); payslips grouping a member's
contracts of a month (each contract on one payslip, ever). Once: members (ages, regions, sectors,
join dates), their Activities, clients (countries) and the register (share categories).

`check_invariants()` is the proof the data is the platform's own: every figure the key-figures
page reconciles holds on it."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Max, Sum, Value
from django.utils import timezone

from activities.models import Activity, ActivityMembership, EmploymentContract, LedgerEntry
from invoicing.models import Client, Invoice, Payment, Reminder
from members.models import Member, RegisterEntry
from payroll.models import PAYSLIP_SERIES, Payslip, PayslipContract
from payroll.services import payslip_reference
from smartcoop.core.models import LegalEntity, NumberSequence, Office
from smartcoop.core.sectors import Sector
from smartcoop.countries import current_pack

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Profile:
    members: int
    salaried: int
    contracts_per_year: int
    invoices_per_year: int
    clients: int
    reminders_per_year: int
    invoiced_per_year: Decimal  # excl. VAT
    work_budget_per_year: Decimal
    contract_types: dict[str, float]  # share of the work budget
    contract_tool_share: float
    country: str  # of the members' addresses and the workplaces
    client_countries: dict[str, float]
    regions: dict[tuple[int, int], float]  # postcode ranges of `country`
    ages: dict[tuple[int, int], float]
    sectors: dict[str, float]
    entity_weights: tuple[float, ...]  # turnover share of the employing entities, in order


# The annual report 2020 (Belgium): DOMAIN.md §4 and the tables of shared/seed.
SMART_BE = Profile(
    members=27_268,
    salaried=17_627,
    contracts_per_year=139_598,
    invoices_per_year=149_308,
    clients=26_506,
    reminders_per_year=31_068,
    invoiced_per_year=Decimal("129742821"),
    work_budget_per_year=Decimal("93049350"),
    contract_types={"employee": 0.6305, "artistic": 0.3442, "student": 0.0253},
    contract_tool_share=0.456,
    country="BE",
    client_countries={"BE": 0.88, "FR": 0.05, "NL": 0.03, "DE": 0.015, "LU": 0.01, "CH": 0.015},
    regions={
        (1000, 1299): 0.36,
        (1300, 1499): 0.04,
        (4000, 7999): 0.22,
        (2000, 3999): 0.18,
        (8000, 9999): 0.20,
    },
    ages={
        (18, 24): 0.08,
        (25, 34): 0.34,
        (35, 44): 0.28,
        (45, 54): 0.17,
        (55, 64): 0.09,
        (65, 80): 0.04,
    },
    sectors={
        Sector.IMAGE_SOUND_STAGE: 0.14,
        Sector.COSTUME_MAKEUP_SET: 0.03,
        Sector.IT_DESIGN_WRITING: 0.12,
        Sector.TRAINING: 0.13,
        Sector.WELLBEING_HEALTH: 0.05,
        Sector.MUSIC: 0.16,
        Sector.AUDIOVISUAL: 0.06,
        Sector.VISUAL_ARTS_CRAFTS: 0.07,
        Sector.PERFORMING_LITERARY: 0.08,
        Sector.ARCHITECTURE_FASHION: 0.04,
        Sector.ARTISTIC_RELATED: 0.04,
        Sector.OTHER: 0.08,
    },
    entity_weights=(0.62, 0.30, 0.05, 0.03),
)
PROFILES = {"smart-be": SMART_BE}


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _scaled(value: int, factor: float, minimum: int = 1) -> int:
    return max(minimum, round(value * factor))


# Fields whose Python value psycopg writes as PostgreSQL reads it: COPY takes it as it is.
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
    models.UUIDField,
)


def _prepare(field) -> Callable[[Any], Any]:
    """How one field's value is read for COPY: as an INSERT would prepare it (defaults,
    `auto_now_add`, JSON, encrypted fields), or the attribute itself for the plain types."""
    plain = type(field).__module__.startswith("django.db.models") and isinstance(field, _PLAIN)
    if (
        plain
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ):
        attname = field.attname
        if isinstance(field, models.DecimalField):
            places = Decimal(1).scaleb(-field.decimal_places)
            return lambda obj: (
                None if (v := getattr(obj, attname)) is None else Decimal(v).quantize(places)
            )
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def _copy(model, rows: list, report: Callable[[str], None]) -> list:
    """`bulk_create` through PostgreSQL COPY: the primary keys are drawn from the table's
    sequence first (in ascending order, as an INSERT would give them), each field's value is
    prepared as for an INSERT (see `_prepare`), and the rows are streamed in one COPY. Row
    triggers and constraints apply as for an INSERT; no signal is sent (as with `bulk_create`)."""
    if not rows:
        report(f"{model._meta.label}: 0")
        return rows
    meta = model._meta
    fields = list(meta.concrete_fields)
    prepare = [_prepare(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    for obj in rows:
        obj._prepare_related_fields_for_save(operation_name="_copy")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for obj, (pk,) in zip(rows, sorted(cursor.fetchall()), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for obj in rows:
                copy.write_row([read(obj) for read in prepare])
        # Statistics for the rows just written: autovacuum does not see rows of a transaction
        # still open (the bench seeds in one), and without them the planner takes the tables for
        # empty — the third year's payslip numbering UPDATE then ran for over 14 minutes at
        # factor 0.05 (a nested loop over the window subquery) instead of a second.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(meta.db_table)}")
    report(f"{meta.label}: {len(rows):,}")
    return rows


def seed(
    *,
    profile: Profile,
    factor: float,
    years: int,
    last_year: int,
    seed_value: int = 2020,
    report: Callable[[str], None] = lambda _line: None,
) -> dict:
    """Writes the deployment; returns the counts. Runs in one transaction per step."""
    from smartcoop.core.demo import seed_demo

    rng = random.Random(seed_value)  # noqa: S311 - reproducible test data, not a secret
    pack = current_pack()
    seed_demo(pack.code)
    employers = list(LegalEntity.objects.filter(is_active=True, is_employer=True).order_by("pk"))
    coop = LegalEntity.objects.filter(is_cooperative=True).order_by("pk").first() or employers[0]
    weights = list(profile.entity_weights[: len(employers)]) or [1.0]
    offices = list(Office.objects.order_by("pk"))
    first_year = last_year - years + 1
    fee_rate = pack.fee_rate(dt.date(last_year, 12, 31))
    counts: dict[str, int] = {}

    # --- Members, their Activities, clients, the register --------------------------------
    with transaction.atomic():
        start_number = (Member.objects.aggregate(m=Max("member_number"))["m"] or 0) + 1
        n_members = _scaled(profile.members, factor, 10)
        members = []
        for i in range(n_members):
            low, high = _pick(rng, profile.ages)
            age = rng.randint(low, high)
            code_low, code_high = _pick(rng, profile.regions)
            # Join dates: most before the seeded years, ~12 % a year during them.
            joined = dt.date(first_year - rng.randint(0, 8), 1, 1) + dt.timedelta(
                days=rng.randint(0, 364)
            )
            if rng.random() < 0.12 * years:
                joined = dt.date(rng.randint(first_year, last_year), rng.randint(1, 12), 1)
            left = None
            if rng.random() < 0.03 * years:
                left = dt.date(rng.randint(first_year, last_year), rng.randint(1, 12), 15)
                left = max(left, joined + dt.timedelta(days=30))
            members.append(
                Member(
                    status=Member.Status.RESIGNED if left else Member.Status.ACTIVE,
                    member_number=start_number + i,
                    first_name=f"Scale{i}",
                    last_name=f"Member{start_number + i}",
                    email=f"scale{start_number + i}@scale.invalid",
                    office=offices[i % len(offices)] if offices else None,
                    birth_date=dt.date(last_year - age, rng.randint(1, 12), rng.randint(1, 28)),
                    postcode=str(rng.randint(code_low, code_high)),
                    country=profile.country,
                    sector=str(_pick(rng, profile.sectors)),
                    joined_on=joined,
                    left_on=left,
                    onboarding_step=Member.OnboardingStep.DONE,
                )
            )
        members = _copy(Member, members, report)
        salaried = members[: _scaled(profile.salaried, factor, 5)]
        activities = _copy(
            Activity,
            [
                Activity(
                    entity=rng.choices(employers, weights=weights)[0],
                    name=f"Scale activity {m.member_number}",
                    sector=m.sector,
                    status=Activity.Status.ACTIVE,
                    coordinator=m,
                )
                for m in salaried
            ],
            report,
        )
        _copy(
            ActivityMembership,
            [ActivityMembership(activity=a, member=a.coordinator) for a in activities],
            report,
        )
        clients = _copy(
            Client,
            [
                Client(
                    entity=rng.choices(employers, weights=weights)[0],
                    name=f"Scale client {i}",
                    street="Straat 1",
                    postcode="1000",
                    city="Brussel",
                    country=str(_pick(rng, profile.client_countries)),
                )
                for i in range(_scaled(profile.clients, factor, len(employers)))
            ],
            report,
        )
        share_price = pack.share_price(dt.date(last_year, 12, 31))
        entries = []
        for m in members:
            category = "C" if rng.random() < 0.005 else ("B" if rng.random() < 0.02 else "A")
            shares = 1 if rng.random() < 0.9 else rng.randint(2, 20)
            entries.append(
                RegisterEntry(
                    entity=coop,
                    member=m,
                    entry_date=m.joined_on or dt.date(first_year, 1, 1),
                    kind=RegisterEntry.Kind.SUBSCRIPTION,
                    category=category,
                    shares=shares,
                    unit_price=share_price,
                    amount=share_price * shares,
                )
            )
            if m.left_on:
                entries.append(
                    RegisterEntry(
                        entity=coop,
                        member=m,
                        entry_date=m.left_on,
                        kind=RegisterEntry.Kind.REDEMPTION,
                        category=category,
                        shares=-shares,
                        unit_price=share_price,
                        amount=-share_price * shares,
                    )
                )
        _copy(RegisterEntry, entries, report)
    counts["members"] = len(members)
    counts["activities"] = len(activities)

    clients_of: dict[int, list[Client]] = defaultdict(list)
    for c in clients:
        clients_of[c.entity_id].append(c)
    for year in range(first_year, last_year + 1):
        counts |= _seed_year(
            rng=rng,
            profile=profile,
            factor=factor,
            year=year,
            activities=activities,
            clients_of=clients_of,
            fee_rate=fee_rate,
            report=report,
        )
    return counts


def _seed_year(
    *, rng, profile: Profile, factor: float, year: int, activities, clients_of, fee_rate, report
) -> dict:
    pack = current_pack()
    n_invoices = _scaled(profile.invoices_per_year, factor)
    mean = profile.invoiced_per_year / profile.invoices_per_year
    income: dict[int, Decimal] = defaultdict(Decimal)  # net of fee, by Activity
    with transaction.atomic():
        drafts = []
        for _ in range(n_invoices):
            activity = rng.choice(activities)
            client = rng.choice(clients_of.get(activity.entity_id) or [None])
            if client is None:
                continue
            amount = (mean * Decimal(str(rng.lognormvariate(0, 0.9))) / Decimal("1.5")).quantize(
                CENT
            ) + Decimal("10.00")
            issued = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            contract_tool = rng.random() < profile.contract_tool_share
            drafts.append((activity, client, amount, issued, contract_tool))
        # Numbers follow the dates in each entity's series (gap-free, in order).
        drafts.sort(key=lambda d: (d[0].entity_id, d[3]))
        invoices = []
        number: dict[tuple[int, str], int] = defaultdict(int)
        for activity, client, amount, issued, contract_tool in drafts:
            entity = activity.entity
            number[(entity.pk, entity.invoice_series_prefix)] += 1
            n = number[(entity.pk, entity.invoice_series_prefix)]
            vat = (amount * Decimal("0.21")).quantize(CENT)
            invoices.append(
                Invoice(
                    entity=entity,
                    activity=activity,
                    client=client,
                    status=Invoice.Status.ISSUED,
                    series=entity.invoice_series_prefix,
                    year=year,
                    number=n,
                    reference=f"{entity.invoice_series_prefix}{year}-{n:06d}",
                    issue_date=issued,
                    payment_days=30,
                    due_date=issued + dt.timedelta(days=30),
                    total_excl_vat=amount,
                    total_vat=vat,
                    total_incl_vat=amount + vat,
                    performance={"scale": True} if contract_tool else {},
                )
            )
        # Payments: most paid, a fifth of them late (lateness drawn up to 90 days). Decided
        # before the invoices are written, so that they are written paid.
        payments, paid = [], []
        for inv in invoices:
            due: dt.date = inv.due_date  # type: ignore[assignment]  # set above
            if rng.random() < 0.93:
                late = rng.random() < 0.21
                received = due + dt.timedelta(
                    days=rng.randint(1, 90) if late else -rng.randint(0, 25)
                )
                inv.status = Invoice.Status.PAID
                inv.amount_paid = inv.total_incl_vat
                payments.append(
                    Payment(
                        entity=inv.entity,
                        invoice=inv,
                        amount=inv.total_incl_vat,
                        received_on=received,
                        source=Payment.Source.BANK,
                    )
                )
                paid.append((inv, late, due))
        invoices = _copy(Invoice, invoices, report)
        payments = _copy(Payment, payments, report)
        reminders = [
            Reminder(
                entity=inv.entity,
                invoice=inv,
                step=1,
                kind="reminder",
                sent_on=due + dt.timedelta(days=1),
                amount_due=inv.total_incl_vat,
            )
            for inv, late, due in paid
            if late
        ][: _scaled(profile.reminders_per_year, factor)]
        _copy(Reminder, reminders, report)
        ledger = []
        for payment in payments:
            inv = payment.invoice
            fee = (inv.total_excl_vat * fee_rate).quantize(CENT, ROUND_HALF_UP)
            booked = min(payment.received_on, dt.date(year, 12, 31))
            source = ("invoicing.payment", str(payment.pk))
            ledger.append(
                LedgerEntry(
                    entity=inv.entity,
                    activity=inv.activity,
                    kind=LedgerEntry.Kind.CLIENT_PAYMENT,
                    amount=inv.total_excl_vat,
                    booked_on=booked,
                    source_type=source[0],
                    source_id=source[1],
                )
            )
            ledger.append(
                LedgerEntry(
                    entity=inv.entity,
                    activity=inv.activity,
                    kind=LedgerEntry.Kind.MANAGEMENT_FEE,
                    amount=-fee,
                    booked_on=booked,
                    source_type=source[0],
                    source_id=source[1],
                )
            )
            income[inv.activity_id] += inv.total_excl_vat - fee
        # Credit notes: 1.5 % of the paid invoices credited in full, numbered in their series.
        credit_notes = []
        for inv, _late, _due in paid:
            if rng.random() < 0.015:
                entity = inv.entity
                key = (entity.pk, entity.credit_note_series_prefix)
                number[key] += 1
                credit_notes.append(
                    Invoice(
                        entity=entity,
                        activity=inv.activity,
                        client=inv.client,
                        kind=Invoice.Kind.CREDIT_NOTE,
                        credited_invoice=inv,
                        status=Invoice.Status.ISSUED,
                        series=entity.credit_note_series_prefix,
                        year=year,
                        number=number[key],
                        reference=f"{entity.credit_note_series_prefix}{year}-{number[key]:06d}",
                        issue_date=dt.date(year, 12, 31),
                        total_excl_vat=inv.total_excl_vat,
                        total_vat=inv.total_vat,
                        total_incl_vat=inv.total_incl_vat,
                    )
                )
        _copy(Invoice, credit_notes, report)
        for (entity_id, series), last in number.items():
            NumberSequence.objects.with_scopes_disabled().update_or_create(
                entity_id=entity_id, series=series, year=year, defaults={"last_number": last}
            )
        _copy(LedgerEntry, ledger, report)
        counts = _seed_contracts(
            rng=rng, profile=profile, factor=factor, year=year, activities=activities,
            income=income, pack=pack, report=report,
        )  # fmt: skip
    return {f"{k}_{year}": v for k, v in counts.items()} | {f"invoices_{year}": len(invoices)}


def _seed_contracts(*, rng, profile, factor, year, activities, income, pack, report) -> dict:
    """Contracts paid in the year from each Activity's net income (never more: balances stay
    positive), one day each on distinct days per member, their salary costs in the ledger and
    their payslips (one per member, entity and month)."""
    target = _scaled(profile.contracts_per_year, factor)
    with_income = [a for a in activities if income.get(a.pk, 0) > 0]
    if not with_income:
        return {"contracts": 0}
    per_activity = max(1, min(300, round(target / len(with_income))))
    share = profile.work_budget_per_year / profile.invoiced_per_year
    contracts = []
    coefficients: dict[str, Decimal] = {}
    for activity in with_income:
        budget = income[activity.pk] * Decimal(str(min(share * Decimal("1.05"), Decimal("0.95"))))
        n = max(1, min(per_activity, int(budget // Decimal("60"))))
        step = max(1, 340 // n)
        for i in range(n):
            cost = (budget / n).quantize(CENT, rounding="ROUND_DOWN")
            if cost <= 0:
                continue
            kind = str(_pick(rng, profile.contract_types))
            if kind not in coefficients:
                coefficients[kind] = pack.contract_type(kind).coefficient(dt.date(year, 12, 31))
            coefficient = coefficients[kind]
            day = dt.date(year, 1, 1) + dt.timedelta(days=i * step)
            paid_on = min(day + dt.timedelta(days=10), dt.date(year, 12, 31))
            contracts.append(
                EmploymentContract(
                    entity=activity.entity,
                    member=activity.coordinator,
                    activity=activity,
                    contract_type=kind,
                    tool=(
                        EmploymentContract.Tool.CONTRACT
                        if rng.random() < profile.contract_tool_share
                        else EmploymentContract.Tool.ACTIVITY
                    ),
                    status=EmploymentContract.Status.PAID,
                    start_date=day,
                    end_date=day,
                    hours=Decimal("8"),
                    days=1,
                    workplace_country=profile.country,
                    function="Freelance work",
                    sector=activity.sector,
                    gross_wage=(cost / coefficient).quantize(CENT, rounding="ROUND_DOWN"),
                    coefficient=coefficient,
                    employer_cost=cost,
                    paid_on=paid_on,
                )
            )
    contracts = _copy(EmploymentContract, contracts, report)
    _copy(
        LedgerEntry,
        [
            LedgerEntry(
                entity=c.entity,
                activity=c.activity,
                kind=LedgerEntry.Kind.SALARY_COST,
                amount=-c.employer_cost,
                booked_on=c.paid_on,  # type: ignore[misc]  # set above
                source_type="activities.employmentcontract",
                source_id=str(c.public_id),
            )
            for c in contracts
        ],
        report,
    )
    groups: dict[tuple, list[EmploymentContract]] = defaultdict(list)
    for c in contracts:
        groups[(c.entity_id, c.member_id, c.paid_on.month)].append(c)  # type: ignore[union-attr]
    slips = []
    for (entity_id, member_id, month), group in groups.items():
        gross = sum((c.gross_wage for c in group), Decimal(0))
        cost = sum((c.employer_cost for c in group), Decimal(0))
        deductions = (gross * Decimal("0.1307")).quantize(CENT)
        pay_date = dt.date(year, month, 28)
        slips.append(
            Payslip(
                entity_id=entity_id,
                member_id=member_id,
                pay_date=pay_date,
                period_start=dt.date(year, month, 1),
                period_end=pay_date,
                category="employee",
                status=Payslip.Status.DRAFT,  # approved once its contracts are linked
                gross=gross,
                employee_deductions=deductions,
                net_taxable=gross - deductions,
                net_social=gross - deductions,
                net_pay=gross - deductions,
                employer_contributions=cost - gross,
                employer_cost=cost,
            )
        )
    slips = _copy(Payslip, slips, report)
    links = []
    for slip, group in zip(slips, groups.values(), strict=True):
        links += [PayslipContract(payslip=slip, contract=c, gross=c.gross_wage, hours=c.hours)
                  for c in group]  # fmt: skip
    _copy(PayslipContract, links, report)
    # Approval numbers each payslip gap-free per entity and year, as payslip_approve does (in
    # pay date and member order), in one UPDATE, and brings the entity's PAYSLIP sequence level
    # with the last number given.
    last = {
        s.entity_id: s.last_number
        for s in NumberSequence.objects.with_scopes_disabled().filter(
            series=PAYSLIP_SERIES, year=year
        )
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE payroll_payslip AS p
               SET status = %s, year = %s, number = numbered.number, approved_at = %s,
                   reference = %s || LPAD(numbered.number::text,
                                          GREATEST(6, LENGTH(numbered.number::text)), '0')
              FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY entity_id
                                                  ORDER BY pay_date, member_id, id)
                               + COALESCE((%s::jsonb ->> entity_id::text)::int, 0) AS number
                      FROM payroll_payslip WHERE id = ANY(%s)) AS numbered
             WHERE p.id = numbered.id
            RETURNING p.entity_id, p.number, p.reference
            """,
            [
                Payslip.Status.APPROVED,
                year,
                timezone.now(),
                payslip_reference(year=year, number=0)[:-6],
                json.dumps({str(k): v for k, v in last.items()}),
                [s.pk for s in slips],
            ],
        )
        for entity_id, number, reference in cursor.fetchall():
            last[entity_id] = max(last.get(entity_id, 0), number)
            if reference != payslip_reference(year=year, number=number):  # the format changed
                raise ValueError(f"payslip reference {reference} is not payroll's")
    for entity_id, last_number in last.items():
        NumberSequence.objects.with_scopes_disabled().update_or_create(
            entity_id=entity_id,
            series=PAYSLIP_SERIES,
            year=year,
            defaults={"last_number": last_number},
        )
    return {"contracts": len(contracts), "payslips": len(slips)}


def check_invariants() -> list[str]:
    """What the platform guarantees, checked on the whole database; [] when all hold."""
    problems = []
    negative = (
        LedgerEntry.objects.with_scopes_disabled()
        .values("activity_id")
        .annotate(balance=Sum("amount"))
        .filter(balance__lt=0)
        .count()
    )
    if negative:
        problems.append(f"{negative} Activities end with a negative balance")
    series = (
        Invoice.objects.with_scopes_disabled()
        .filter(number__isnull=False)
        .values("entity_id", "series", "year")
        .annotate(n=Count("pk"), last=Max("number"))
    )
    sequences = {
        (s.entity_id, s.series, s.year): s.last_number
        for s in NumberSequence.objects.with_scopes_disabled().all()
    }
    payslips = (
        Payslip.objects.with_scopes_disabled()
        .filter(number__isnull=False)
        .values("entity_id", "year")
        .annotate(series=Value(PAYSLIP_SERIES), n=Count("pk"), last=Max("number"))
    )
    for s in [*series, *payslips]:
        key = (s["entity_id"], s["series"], s["year"])
        if s["n"] != s["last"] or sequences.get(key) != s["last"]:
            problems.append(f"numbers of {key} are not gap-free ({s['n']} for {s['last']})")
    paid = EmploymentContract.objects.with_scopes_disabled().filter(status__in=["paid", "closed"])
    costs = LedgerEntry.objects.with_scopes_disabled().filter(
        kind=LedgerEntry.Kind.SALARY_COST, reverses__isnull=True
    )
    if paid.count() != costs.count():
        problems.append(f"{paid.count()} paid contracts but {costs.count()} salary costs")
    on_payslips = PayslipContract.objects.count()
    if on_payslips > paid.count():
        problems.append("more payslip lines than paid contracts")
    ledger_total = -(costs.aggregate(s=Sum("amount"))["s"] or 0)
    if ledger_total != (paid.aggregate(s=Sum("employer_cost"))["s"] or 0):
        problems.append("salary costs in the ledger differ from the paid contracts")
    return problems
