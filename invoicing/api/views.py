"""Invoicing API (/api/v1/invoicing/): one view per operation, its own input/output
serializers, errors as {"code", "message", "extra"}. Visibility is the selectors' (404 else)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from smartcoop.core.errors import NotFound
from smartcoop.core.tenancy import current_entity

from .. import selectors, services
from ..models import Invoice
from ..services.invoices import MAX_LINES, MAX_PAYMENT_DAYS


class LineSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=4)
    unit = serializers.CharField(max_length=3, default="C62")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    vat_rate_code = serializers.CharField(default="standard")


class InvoiceOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    reference = serializers.CharField()
    client = serializers.CharField(source="client.name")
    activity = serializers.UUIDField(source="activity.public_id")
    # A draft has neither yet: null until it is issued.
    issue_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    currency = serializers.CharField()
    vat_regime = serializers.CharField()
    is_deposit = serializers.BooleanField()
    total_excl_vat = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_vat = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_incl_vat = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2)
    structured_communication = serializers.CharField()


class InvoiceDetailOutput(InvoiceOutput):
    lines = LineSerializer(many=True, source="lines.all")
    vat_explanation = serializers.CharField()
    operation_category = serializers.CharField()
    delivery_address = serializers.SerializerMethodField()

    def get_delivery_address(self, invoice) -> dict[str, str] | None:
        if not invoice.delivery_street:
            return None
        return {
            part: getattr(invoice, f"delivery_{part}")
            for part in ("street", "postcode", "city", "country")
        }


class DeliveryAddressInput(serializers.Serializer):
    street = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=12)
    city = serializers.CharField(max_length=120)
    country = serializers.CharField(max_length=2)


class InvoiceCreateInput(serializers.Serializer):
    activity = serializers.UUIDField()
    client = serializers.UUIDField()
    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=LineSerializer(), min_length=1, max_length=MAX_LINES
    )
    payment_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_PAYMENT_DAYS
    )
    buyer_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )
    discount_rate = serializers.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    operation_category = serializers.ChoiceField(
        choices=Invoice.OperationCategory.choices,
        default=Invoice.OperationCategory.SERVICES,
        help_text="What the invoice is for: services, goods, or both (mixed).",
    )
    delivery_address = DeliveryAddressInput(
        required=False,
        allow_null=True,
        default=None,
        help_text="Where the goods go or the service is performed, when it is not the "
        "client's address.",
    )
    is_deposit = serializers.BooleanField(default=False)
    deposits = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        help_text="Issued deposit invoices of the same client that this final invoice deducts.",
    )


class ClientOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    kind = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    vat_number = serializers.CharField()
    enterprise_number = serializers.CharField()
    peppol_scheme = serializers.CharField()
    peppol_id = serializers.CharField()


class ClientCreateInput(serializers.Serializer):
    activity = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=["company", "person"])
    name = serializers.CharField(max_length=200)
    street = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=12)
    city = serializers.CharField(max_length=120)
    country = serializers.CharField(max_length=2)
    vat_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    enterprise_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=30
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="")


def _entity(request):
    return current_entity(request)


class InvoiceListView(APIView):
    pagination_class = PageNumberPagination  # also tells the schema the list is paginated

    @extend_schema(responses=InvoiceOutput(many=True), summary="Invoices you may see")
    def get(self, request):
        rows = selectors.invoice_list(user=request.user, entity=_entity(request)).order_by(
            "-created_at"
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(InvoiceOutput(page, many=True).data)

    @extend_schema(
        request=InvoiceCreateInput, responses={201: InvoiceDetailOutput}, summary="Create a draft"
    )
    def post(self, request):
        data = InvoiceCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        activity = (
            selectors.member_activities(user=request.user, invoicing=True)
            .filter(public_id=values["activity"])
            .first()
        )
        client = selectors.client_list(user=request.user).filter(public_id=values["client"]).first()
        if activity is None or client is None:
            raise NotFound("Activity or client not found.")
        deposits = list(
            selectors.invoice_list(user=request.user).filter(public_id__in=values["deposits"])
        )
        if len(deposits) != len(set(values["deposits"])):
            raise NotFound("Deposit invoice not found.")
        invoice = services.invoice_draft_save(
            actor=request.user,
            activity=activity,
            client=client,
            lines=[dict(line) for line in values["lines"]],
            payment_days=values.get("payment_days"),
            buyer_reference=values["buyer_reference"],
            discount_rate=values["discount_rate"],
            is_deposit=values["is_deposit"],
            deposits=deposits,
            operation_category=values["operation_category"],
            delivery_address=values["delivery_address"],
        )
        return Response(InvoiceDetailOutput(invoice).data, status=status.HTTP_201_CREATED)


class InvoiceDetailView(APIView):
    @extend_schema(responses=InvoiceDetailOutput, summary="One invoice")
    def get(self, request, public_id):
        invoice = selectors.invoice_get(
            user=request.user, public_id=public_id, entity=_entity(request)
        )
        return Response(InvoiceDetailOutput(invoice).data)


class InvoiceSubmitView(APIView):
    @extend_schema(request=None, responses=InvoiceOutput, summary="Issue (or send for approval)")
    def post(self, request, public_id):
        invoice = selectors.invoice_get(user=request.user, public_id=public_id)
        if (
            not selectors.member_activities(user=request.user, invoicing=True)
            .filter(pk=invoice.activity_id)
            .exists()
        ):
            raise NotFound("Not found.")
        invoice = services.invoice_submit(invoice=invoice, actor=request.user)
        return Response(InvoiceOutput(invoice).data)


class ClientListView(APIView):
    pagination_class = PageNumberPagination  # also tells the schema the list is paginated

    @extend_schema(responses=ClientOutput(many=True), summary="Clients you may see")
    def get(self, request):
        rows = selectors.client_list(user=request.user, entity=_entity(request)).order_by("name")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ClientOutput(page, many=True).data)

    @extend_schema(request=ClientCreateInput, responses={201: ClientOutput}, summary="Add a client")
    def post(self, request):
        data = ClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        activity = (
            selectors.member_activities(user=request.user, invoicing=True)
            .filter(public_id=values.pop("activity"))
            .first()
        )
        if activity is None:
            raise NotFound("Activity not found.")
        client = services.client_create(
            entity=activity.entity, actor=request.user, activity=activity, **values
        )
        return Response(ClientOutput(client).data, status=status.HTTP_201_CREATED)
