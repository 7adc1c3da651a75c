"""Input and output shapes of the members API, one per operation."""

from __future__ import annotations

from rest_framework import serializers


class HoldingOutput(serializers.Serializer):
    category = serializers.CharField()
    shares = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SubscriptionOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    category = serializers.CharField()
    shares = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    paid_on = serializers.DateField(allow_null=True)
    structured_communication = serializers.CharField()
    certificate_available = serializers.BooleanField()


class RegisterEntryOutput(serializers.Serializer):
    entry_date = serializers.DateField()
    kind = serializers.CharField()
    category = serializers.CharField()
    shares = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SharesOutput(serializers.Serializer):
    holdings = HoldingOutput(many=True)
    subscriptions = SubscriptionOutput(many=True)
    register_entries = RegisterEntryOutput(many=True)


class MemberSummaryOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    display_name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    member_number = serializers.IntegerField(allow_null=True)
    email = serializers.EmailField()
    sector = serializers.CharField()
    office = serializers.CharField(allow_null=True)
    adviser = serializers.CharField(allow_null=True)


class MemberDetailOutput(MemberSummaryOutput):
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    legal_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    national_number = serializers.CharField(help_text="Masked unless the caller may see it.")
    enterprise_number = serializers.CharField()
    street = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()
    language = serializers.CharField()
    profession = serializers.CharField()
    onboarding_step = serializers.CharField()
    joined_on = serializers.DateField(allow_null=True)
    left_on = serializers.DateField(allow_null=True)
    holdings = HoldingOutput(many=True)
