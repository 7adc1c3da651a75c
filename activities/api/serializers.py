"""Input and output serializers of the Activities API, one pair per operation."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from smartcoop.core.money import MoneyDigits

MONEY: MoneyDigits = {"max_digits": 14, "decimal_places": 2}


class BudgetOutput(serializers.Serializer):
    balance = serializers.DecimalField(**MONEY)
    planned_salaries = serializers.DecimalField(**MONEY)
    pending_expenses = serializers.DecimalField(**MONEY)
    reserve = serializers.DecimalField(**MONEY)
    available = serializers.DecimalField(**MONEY)
    exposure = serializers.DecimalField(**MONEY)


class ActivityListOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    sector = serializers.CharField()
    status = serializers.CharField()
    entity = serializers.CharField(source="entity.slug")
    balance = serializers.DecimalField(**MONEY)
    available = serializers.DecimalField(**MONEY)


class ActivityDetailOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    description = serializers.CharField()
    sector = serializers.CharField()
    status = serializers.CharField()
    entity = serializers.CharField(source="entity.slug")
    coordinator = serializers.CharField(source="coordinator.display_name")
    budget = BudgetOutput()


class LedgerEntryOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    booked_on = serializers.DateField()
    description = serializers.CharField()
    source_type = serializers.CharField()
    source_id = serializers.CharField()
    reverses = serializers.UUIDField(source="reverses.public_id", allow_null=True, default=None)


class MonthOutput(serializers.Serializer):
    month = serializers.DateField()
    income = serializers.DecimalField(**MONEY)
    fee = serializers.DecimalField(**MONEY)
    salaries = serializers.DecimalField(**MONEY)
    expenses = serializers.DecimalField(**MONEY)
    other = serializers.DecimalField(**MONEY)
    closing_balance = serializers.DecimalField(**MONEY)


class ContractOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    activity = serializers.UUIDField(source="activity.public_id")
    member = serializers.CharField(source="member.display_name")
    contract_type = serializers.CharField()
    tool = serializers.CharField()
    status = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    days = serializers.IntegerField()
    workplace_country = serializers.CharField()
    gross_wage = serializers.DecimalField(**MONEY)
    coefficient = serializers.DecimalField(max_digits=6, decimal_places=4)
    employer_cost = serializers.DecimalField(**MONEY)
    wage_due_on = serializers.DateField(allow_null=True)
    cadre = serializers.BooleanField(help_text="France: executive (cadre) status, set by staff")
    joint_committee = serializers.CharField(
        help_text="Belgium: the joint committee (paritair comité / commission paritaire) the "
        "contract falls under, e.g. 200 or 302.01; empty in a country without them"
    )
    posting_required = serializers.BooleanField()
    a1_status = serializers.CharField()
    host_declaration_status = serializers.CharField()
    warnings = serializers.JSONField()


class SalaryRequestInput(serializers.Serializer):
    contract_type = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    gross_wage = serializers.DecimalField(**MONEY)
    function = serializers.CharField(max_length=200)
    workplace_country = serializers.CharField(max_length=2, required=False, default="")
    workplace_address = serializers.CharField(max_length=300, required=False, default="")


class ExecutiveStatusInput(serializers.Serializer):
    cadre = serializers.BooleanField()


class JointCommitteeInput(serializers.Serializer):
    joint_committee = serializers.CharField(
        max_length=20, help_text="3 digits, optionally a sub-committee after a dot: 200, 302.01"
    )


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class SimulatorInput(serializers.Serializer):
    amount = serializers.DecimalField(
        min_value=Decimal("0.01"), max_value=Decimal("10000000"), **MONEY
    )


class NetEstimateLineOutput(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField(source="label")
    base = serializers.DecimalField(**MONEY)
    rate = serializers.DecimalField(max_digits=7, decimal_places=5, allow_null=True)
    amount = serializers.DecimalField(**MONEY, help_text="a deduction; negative: a reduction")


class SimulationLineOutput(serializers.Serializer):
    contract_type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF moves fields off the class
    coefficient = serializers.DecimalField(max_digits=6, decimal_places=4)
    gross = serializers.DecimalField(**MONEY)
    employer_cost = serializers.DecimalField(**MONEY)
    estimated_contributions = serializers.DecimalField(source="estimate.contributions", **MONEY)
    estimated_withholding = serializers.DecimalField(source="estimate.withholding", **MONEY)
    estimated_net = serializers.DecimalField(source="estimate.net", **MONEY)
    breakdown = NetEstimateLineOutput(
        source="estimate.lines", many=True, help_text="empty when flat rates were used"
    )


class SimulationOutput(serializers.Serializer):
    amount_excl_vat = serializers.DecimalField(**MONEY)
    fee_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    fee = serializers.DecimalField(**MONEY)
    budget = serializers.DecimalField(**MONEY)
    lines = SimulationLineOutput(many=True)
    is_estimate = serializers.BooleanField(default=True)


class LoanOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    activity = serializers.UUIDField(source="activity.public_id")
    purpose = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    months = serializers.IntegerField()
    status = serializers.CharField()
    repaid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)
    next_due_on = serializers.DateField(allow_null=True)
