"""A small data set whose key figures are computed by hand in the tests: two entities, two
years, rows written with the ORM (the figures read what the other apps stored, whatever path
stored it)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityMembership,
    EmploymentContract,
    LedgerEntry,
    Loan,
    SolidarityRequest,
)
from invoicing.models import Client, Invoice
from members.models import Member, RegisterEntry
from payroll.models import Payslip
from payroll.services import payslip_approve
from smartcoop.core.sectors import Sector
from tests.activities.factories import make_member
from tests.factories import LegalEntityFactory, OfficeFactory

_n = itertools.count(1)


def activity(entity, *, sector=Sector.MUSIC, coordinator=None, office=None) -> Activity:
    coordinator = coordinator or make_member(office=office)
    act = Activity.objects.create(
        entity=entity,
        name=f"Act {next(_n)}",
        sector=sector,
        status=Activity.Status.ACTIVE,
        coordinator=coordinator,
    )
    ActivityMembership.objects.create(activity=act, member=coordinator)
    return act


def client(entity, country="BE") -> Client:
    return Client.objects.create(
        entity=entity,
        name=f"Client {next(_n)}",
        street="Rue 1",
        postcode="1000",
        city="Brussel",
        country=country,
    )


def invoice(
    act, cl, amount, on, *, kind="invoice", credits=None, status="issued", performance=None
):
    number = next(_n)
    return Invoice.objects.create(
        entity=act.entity,
        activity=act,
        client=cl,
        kind=kind,
        credited_invoice=credits,
        status=status,
        series="" if status == "draft" else ("C" if kind == "credit_note" else "F"),
        year=None if status == "draft" else on.year,
        number=None if status == "draft" else number,
        issue_date=None if status == "draft" else on,
        total_excl_vat=Decimal(amount),
        total_incl_vat=Decimal(amount) * Decimal("1.21"),
        performance=performance or {},
    )


def contract(
    act,
    member,
    *,
    cost,
    paid_on,
    contract_type="employee",
    tool="activity",
    hours="8",
    days=1,
    sector=None,
    status="paid",
    ledger=True,
) -> EmploymentContract:
    start = paid_on - dt.timedelta(days=10 + next(_n) * 2)
    c = EmploymentContract.objects.create(
        entity=act.entity,
        member=member,
        activity=act,
        contract_type=contract_type,
        tool=tool,
        status=status,
        start_date=start,
        end_date=start,
        hours=Decimal(hours),
        days=days,
        workplace_country="BE",
        function="Musician",
        sector=sector or act.sector,
        gross_wage=Decimal(cost) / 2,
        coefficient=Decimal("2"),
        employer_cost=Decimal(cost),
        paid_on=paid_on if status in ("paid", "closed") else None,
    )
    if ledger and status in ("paid", "closed"):
        LedgerEntry.objects.create(
            entity=act.entity,
            activity=act,
            kind=LedgerEntry.Kind.SALARY_COST,
            amount=-Decimal(cost),
            booked_on=paid_on,
            source_type="activities.contract",
            source_id=str(c.pk),
        )
    return c


@pytest.fixture
def dataset(db):
    """Two entities; 2025 and 2026. The expected figures are written next to each test."""
    office = OfficeFactory()
    other_office = OfficeFactory()
    smart = LegalEntityFactory(name="SmartCoop")
    vp = LegalEntityFactory(name="Verenigde Producties")
    outside = LegalEntityFactory(name="Not mine")
    y = 2026
    d = dt.date
    ann = make_member(
        office=office,
        birth_date=d(1990, 5, 1),
        postcode="1050",
        country="BE",
        joined_on=d(2025, 3, 1),
        sector=Sector.MUSIC,
    )
    bob = make_member(
        office=office,
        birth_date=d(1960, 1, 1),
        postcode="9000",
        country="BE",
        joined_on=d(2026, 2, 1),
        sector=Sector.TRAINING,
    )
    cleo = make_member(
        office=other_office,
        birth_date=None,
        postcode="75011",
        country="FR",
        joined_on=d(2026, 6, 1),
        sector=Sector.MUSIC,
    )
    # Left in 2026: a member in 2025's figures, not in 2026's.
    make_member(
        office=office,
        birth_date=d(2003, 1, 1),
        postcode="4000",
        country="BE",
        joined_on=d(2024, 1, 1),
        left_on=d(2026, 4, 1),
        status=Member.Status.RESIGNED,
    )
    # An applicant (no joined_on) counts nowhere.
    make_member(office=office, status=Member.Status.APPLICANT)

    music = activity(smart, sector=Sector.MUSIC, coordinator=ann)
    teach = activity(vp, sector=Sector.TRAINING, coordinator=bob)
    far = activity(outside, sector=Sector.MUSIC)
    be_client, fr_client = client(smart, "BE"), client(smart, "FR")
    vp_client = client(vp, "NL")

    # SmartCoop 2026: 1000 + 500 (FR, contract tool) - 200 credit note = 1300.
    first = invoice(music, be_client, "1000.00", d(y, 2, 1))
    invoice(music, fr_client, "500.00", d(y, 3, 1), performance={"contract": 1})
    invoice(music, be_client, "200.00", d(y, 4, 1), kind="credit_note", credits=first)
    invoice(music, be_client, "999.00", d(y, 5, 1), status="draft")  # not issued
    # VP 2026: 300 (NL). 2025: SmartCoop 800.
    invoice(teach, vp_client, "300.00", d(y, 6, 1))
    invoice(music, be_client, "800.00", d(y - 1, 6, 1))
    invoice(far, client(outside), "5000.00", d(y, 6, 1))  # another entity: never shown

    # Work 2026: SmartCoop employee 400 (ann, 8h) + artistic 600 (ann, 16h, contract tool);
    # VP student 100 (bob, 4h). 2025: SmartCoop employee 250 (ann). A validated, unpaid
    # contract counts nowhere.
    contract(music, ann, cost="400.00", paid_on=d(y, 3, 10))
    contract(
        music,
        ann,
        cost="600.00",
        paid_on=d(y, 4, 10),
        contract_type="artistic",
        tool="contract",
        hours="16",
        days=2,
    )
    contract(teach, bob, cost="100.00", paid_on=d(y, 5, 10), contract_type="student", hours="4")
    contract(music, ann, cost="250.00", paid_on=d(y - 1, 5, 10))
    contract(music, ann, cost="999.00", paid_on=d(y, 6, 10), status="validated")
    contract(far, far.coordinator, cost="7000.00", paid_on=d(y, 6, 10))
    # Register: ann subscribes 2 A shares in 2025 and 3 more in 2026; bob 1 B share in 2026,
    # then redeems it in 2026. Shares of 25.00.
    for member, day, kind, cat, n in (
        (ann, d(y - 1, 3, 1), "subscription", "A", 2),
        (ann, d(y, 3, 1), "additional", "A", 3),
        (bob, d(y, 2, 1), "subscription", "B", 1),
        (bob, d(y, 9, 1), "redemption", "B", -1),
    ):
        RegisterEntry.objects.create(
            entity=smart,
            member=member,
            entry_date=day,
            kind=kind,
            category=cat,
            shares=n,
            unit_price=Decimal("25.00"),
            amount=Decimal("25.00") * n,
        )
    # Loans: one of 1,000 disbursed in 2026 (200 repaid), one refused in 2026.
    Loan.objects.create(
        entity=smart,
        activity=music,
        requested_by=ann,
        purpose="Van",
        amount=Decimal("1000.00"),
        months=10,
        status=Loan.Status.DISBURSED,
        disbursed_on=d(y, 4, 1),
        repaid=Decimal("200.00"),
        decided_at=dt.datetime(y, 3, 1, tzinfo=dt.UTC),
    )
    Loan.objects.create(
        entity=smart,
        activity=music,
        requested_by=ann,
        purpose="Car",
        amount=Decimal("500.00"),
        months=5,
        status=Loan.Status.REFUSED,
        decided_at=dt.datetime(y, 5, 1, tzinfo=dt.UTC),
        decision_reason="Too much",
    )
    # Solidarity: 30 contributed from SmartCoop's Activities in 2026; one request accepted and
    # paid (150), one refused.
    LedgerEntry.objects.create(
        entity=smart,
        activity=music,
        kind=LedgerEntry.Kind.SOLIDARITY_CONTRIBUTION,
        amount=Decimal("-30.00"),
        booked_on=d(y, 1, 31),
        source_type="tests",
        source_id="s1",
    )
    SolidarityRequest.objects.create(
        member=ann,
        reason="health",
        explanation="x",
        amount_requested=Decimal("200.00"),
        status="paid",
        amount_granted=Decimal("150.00"),
        decided_at=dt.datetime(y, 6, 1, tzinfo=dt.UTC),
        paid_on=d(y, 6, 5),
    )
    SolidarityRequest.objects.create(
        member=bob,
        reason="other",
        explanation="x",
        amount_requested=Decimal("90.00"),
        status="refused",
        decided_at=dt.datetime(y, 7, 1, tzinfo=dt.UTC),
    )
    # Payslips: two approved in 2026 (ann), one draft (not counted).
    for month, status, gross in (
        (3, "approved", "500.00"),
        (4, "approved", "300.00"),
        (5, "draft", "999.00"),
    ):
        slip = Payslip.objects.create(
            entity=smart,
            member=ann,
            pay_date=d(y, month, 28),
            period_start=d(y, month, 1),
            period_end=d(y, month, 28),
            category="employee",
            gross=Decimal(gross),
            employee_deductions=Decimal("0"),
            net_taxable=Decimal(gross),
            net_social=Decimal(gross),
            net_pay=Decimal(gross),
            employer_contributions=Decimal(gross),
            employer_cost=Decimal(gross) * 2,
        )
        if status == "approved":
            payslip_approve(payslip=slip, actor=None, now=timezone.now(), render_pdf=False)
    return {
        "year": y,
        "entities": (smart.pk, vp.pk),
        "smart": smart,
        "vp": vp,
        "outside": outside,
        "office": office,
        "other_office": other_office,
        "ann": ann,
        "bob": bob,
        "cleo": cleo,
        "music": music,
    }
