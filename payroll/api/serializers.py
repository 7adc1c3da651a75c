"""Input and output serializers of the payroll API."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ..models import TaxProfile


class TaxProfileOutput(serializers.Serializer):
    valid_from = serializers.DateField()
    marital_status = serializers.ChoiceField(choices=TaxProfile.MaritalStatus.choices)
    partner_has_income = serializers.BooleanField()
    dependent_children = serializers.IntegerField()
    disabled_children = serializers.IntegerField()
    other_dependants = serializers.IntegerField()
    disabled = serializers.BooleanField()
    fr_pas_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class TaxProfileStateOutput(serializers.Serializer):
    complete = serializers.BooleanField(help_text="False: withholding uses the legal default")
    current = TaxProfileOutput(allow_null=True)
    history = TaxProfileOutput(many=True)


class TaxProfileInput(serializers.Serializer):
    valid_from = serializers.DateField()
    marital_status = serializers.ChoiceField(choices=TaxProfile.MaritalStatus.choices)
    partner_has_income = serializers.BooleanField(default=False)
    dependent_children = serializers.IntegerField(min_value=0, max_value=20, default=0)
    disabled_children = serializers.IntegerField(min_value=0, max_value=20, default=0)
    other_dependants = serializers.IntegerField(min_value=0, max_value=20, default=0)
    disabled = serializers.BooleanField(default=False)
    fr_pas_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        required=False,
        allow_null=True,
        default=None,
        help_text="France: the personalised rate as a ratio (0.075 = 7.5 %); null = neutral rate",
    )
