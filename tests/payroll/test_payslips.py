"""Payslips: computed from the engines with a snapshot, one per worker/entity/pay date, each
contract paid once, immutable once approved (also in the database)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.services import contract_validate
from payroll import services
from payroll.calculations import ContractPay, ExitHoliday, PayInput, WorkerCategory, compute_pay
from payroll.models import Payslip, PayslipContract, TaxProfile
from smartcoop.core.errors import Conflict, ValidationFailed
from tests.activities.factories import ActivityFactory, credit, salary_contract

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
D = Decimal


def next_month_start() -> dt.date:
    today = dt.date.today()
    return (today.replace(day=28) + dt.timedelta(days=40)).replace(day=1)


@pytest.fixture
def activity():
    activity = ActivityFactory()
    credit(activity, "30000.00")
    return activity


def contract(activity, *, day: int, gross: str = "400.00", kind: str = "employee", days: int = 1):
    made = salary_contract(
        activity,
        gross=gross,
        start=next_month_start() + dt.timedelta(days=day),
        days=days,
        contract_type=kind,
    )
    return contract_validate(contract=made, actor=None)


def compute(activity, contracts, pay_date=None):
    return services.payslip_compute(
        entity=activity.entity,
        member=activity.coordinator,
        pay_date=pay_date or next_month_start() + dt.timedelta(days=40),
        contracts=contracts,
        actor=None,
    )


def test_a_payslip_copies_the_engine_result_and_its_parameters(activity):
    first, second = contract(activity, day=2), contract(activity, day=9, gross="650.00")
    payslip = compute(activity, [second, first])
    start = next_month_start()
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    expected = compute_pay(
        PayInput("BE", WorkerCategory.EMPLOYEE, start, end,
                 (ContractPay("a", D("400.00"), D("8"), first.start_date, first.end_date),
                  ContractPay("b", D("650.00"), D("8"), second.start_date, second.end_date)),
                 exit_holiday=ExitHoliday())  # the member's last contracts: exit holiday pay
    )  # fmt: skip
    assert payslip.status == Payslip.Status.DRAFT
    assert (payslip.gross, payslip.net_pay, payslip.employer_cost) == (
        D("1050.00") + D("161.08"), expected.net_pay, expected.employer_cost
    )  # fmt: skip
    assert [line["code"] for line in payslip.lines] == [line.code for line in expected.lines]
    keys = {p["key"]: p for p in payslip.parameters}
    assert json.loads(keys["be.ssc_personal_rate"]["value"]) == "0.1307"
    assert keys["be.ssc_personal_rate"]["source"].startswith("Law 29 Jun 1981")
    # no tax profile: the legal default was used, and the payslip says so
    assert payslip.tax_profile["is_default"] is True
    assert "tax_profile_default" in payslip.notes
    assert set(payslip.paid_contracts.values_list("contract_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    # what is stored is what was computed: every line, amount and source, as read back
    stored = Payslip.objects.get(pk=payslip.pk)
    assert stored.lines == payslip.lines == [
        {"code": line.code, "label_key": line.label_key, "base": str(line.base),
         "rate": None if line.rate is None else str(line.rate), "amount": str(line.amount),
         "side": str(line.side), "source": line.source}
        for line in expected.lines
    ]  # fmt: skip
    assert (
        stored.parameters
        == payslip.parameters
        == [
            {"key": p.key, "from": p.valid_from.isoformat(), "value": p.value, "source": p.source}
            for p in expected.parameters
        ]
    )
    assert (stored.tax_profile, stored.notes) == (payslip.tax_profile, payslip.notes)
    assert (stored.employee_deductions, stored.employer_contributions, stored.net_taxable) == (
        expected.employee_deductions, expected.employer_contributions, expected.net_taxable
    )  # fmt: skip


def test_the_tax_profile_of_the_pay_date_is_used_and_copied(activity):
    TaxProfile.objects.create(member=activity.coordinator, valid_from=dt.date(2020, 1, 1),
                              marital_status="couple", partner_has_income=False,
                              dependent_children=2)  # fmt: skip
    payslip = compute(activity, [contract(activity, day=3, gross="2800.00", days=10)])
    assert payslip.tax_profile["dependent_children"] == 2
    assert payslip.tax_profile["is_default"] is False
    assert "tax_profile_default" not in payslip.notes


def test_a_contract_is_paid_once(activity):
    paid = contract(activity, day=4)
    compute(activity, [paid])
    with pytest.raises(Conflict):
        compute(activity, [paid], pay_date=next_month_start() + dt.timedelta(days=45))
    assert PayslipContract.objects.filter(contract=paid).count() == 1
    other = Payslip.objects.create(
        entity=activity.entity, member=activity.coordinator,
        pay_date=next_month_start() + dt.timedelta(days=50),
        period_start=next_month_start(), period_end=next_month_start(), category="employee",
        gross=0, employee_deductions=0, net_taxable=0, net_social=0, net_pay=0,
        employer_contributions=0, employer_cost=0,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        PayslipContract.objects.create(payslip=other, contract=paid, gross=1, hours=1)


def test_one_payslip_per_worker_entity_and_pay_date(activity):
    payslip = compute(activity, [contract(activity, day=5)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Payslip.objects.create(
            entity=payslip.entity, member=payslip.member, pay_date=payslip.pay_date,
            period_start=payslip.period_start, period_end=payslip.period_end, category="employee",
            gross=0, employee_deductions=0, net_taxable=0, net_social=0, net_pay=0,
            employer_contributions=0, employer_cost=0,
        )  # fmt: skip


def test_a_draft_is_recomputed_in_place_and_an_approved_payslip_never_changes(activity):
    first = contract(activity, day=6)
    payslip = compute(activity, [first])
    second = contract(activity, day=12, gross="300.00")
    recomputed = compute(activity, [first, second])
    exit_pay = D("107.38")  # 15.34 % of 700: the member's last contracts with the entity
    assert recomputed.pk == payslip.pk and recomputed.gross == D("700.00") + exit_pay

    approved = services.payslip_approve(payslip=recomputed, actor=None, now=timezone.now())
    assert approved.status == Payslip.Status.APPROVED
    with pytest.raises(Conflict):
        compute(activity, [first, second])
    with pytest.raises(Conflict):
        services.payslip_approve(payslip=approved, actor=None, now=timezone.now())
    # the database itself refuses: no update, no delete, no change to its contracts
    with pytest.raises(IntegrityError), transaction.atomic():
        Payslip.objects.filter(pk=approved.pk).update(net_pay=D("1.00"), gross=D("1.00"),
                                                      employee_deductions=0)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Payslip.objects.filter(pk=approved.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayslipContract.objects.filter(payslip=approved).delete()
    approved.refresh_from_db()
    assert approved.gross == D("700.00") + exit_pay and approved.paid_contracts.count() == 2


def test_student_hours_of_earlier_payslips_count_against_the_quota(activity):
    """650 h in 2026+: an earlier payslip of the year (another entity) counted 645 hours."""
    start = next_month_start()
    if start.month == 1:  # the earlier payslip must be of the same year
        start = start.replace(month=2)
    Payslip.objects.create(
        entity=ActivityFactory().entity, member=activity.coordinator,
        pay_date=start.replace(month=start.month - 1, day=10),
        period_start=start.replace(month=start.month - 1), period_end=start.replace(day=1),
        category="student", status="approved", gross=0, employee_deductions=0, net_taxable=0,
        net_social=0, net_pay=0, employer_contributions=0, employer_cost=0,
        student_hours_in_quota=D("645"), number=1, year=start.year,
    )  # fmt: skip
    student = salary_contract(activity, gross="200.00", start=start + dt.timedelta(days=1),
                              contract_type="student")  # fmt: skip
    student = contract_validate(contract=student, actor=None)
    payslip = compute(activity, [student], pay_date=start + dt.timedelta(days=20))
    assert payslip.student_hours_in_quota == D("5")
    assert "student_quota_exceeded" in payslip.notes


def test_bad_input_is_refused_and_nothing_is_stored(activity):
    draft = salary_contract(activity, start=next_month_start() + dt.timedelta(days=7))
    with pytest.raises(ValidationFailed, match="not validated"):
        compute(activity, [draft])
    elsewhere = ActivityFactory()
    credit(elsewhere, "1000.00")
    foreign = contract_validate(
        contract=salary_contract(elsewhere, start=next_month_start() + dt.timedelta(days=8)),
        actor=None,
    )
    with pytest.raises(ValidationFailed, match="worker's"):
        compute(activity, [foreign])
    assert not Payslip.objects.exists()
