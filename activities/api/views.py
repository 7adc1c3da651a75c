"""The Activities API (/api/v1/activities/). Members see their own Activities and contracts;
staff see the entity they work in (advisers: their office). Refusals use the one error shape."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from smartcoop.core.api import permission_required
from smartcoop.core.http import user_of
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.tenancy import current_entity
from smartcoop.countries import current_pack

from .. import calculations, selectors, services
from ..models import LedgerEntry
from . import serializers as s


def _is_staff(request) -> bool:
    return has_permission(request.user, Permission.VALIDATE_ACTIVITIES) or has_permission(
        request.user, Permission.VIEW_ALL_MEMBERS
    )


def _member(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    return member


def _activity(request, public_id):
    if _is_staff(request):
        return selectors.activity_get_for_staff(
            user=request.user, entity=current_entity(request), public_id=public_id
        )
    return selectors.activity_get_for_member(member=_member(request), public_id=public_id)


class ActivityListView(generics.ListAPIView):
    serializer_class = s.ActivityListOutput

    @extend_schema(summary="Activities I may see, with balance and available budget")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if _is_staff(self.request):
            queryset = selectors.activity_list_for_staff(
                user=user_of(self.request), entity=current_entity(self.request)
            )
        else:
            member = selectors.member_of_user(user_of(self.request))
            if member is None:
                return selectors.Activity.objects.none()
            queryset = selectors.activity_list_for_member(member=member)
        return queryset.select_related("entity")


class ActivityDetailView(APIView):
    @extend_schema(responses=s.ActivityDetailOutput, summary="One Activity and its budget")
    def get(self, request, public_id):
        activity = _activity(request, public_id)
        activity.budget = selectors.activity_budget(activity=activity)
        return Response(s.ActivityDetailOutput(activity).data)


class LedgerView(generics.ListAPIView):
    serializer_class = s.LedgerEntryOutput

    @extend_schema(summary="The Activity's ledger entries, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        activity = _activity(self.request, self.kwargs["public_id"])
        return (
            LedgerEntry.objects.filter(activity=activity)
            .select_related("reverses")
            .order_by("-booked_on", "-id")
        )


class MonthsView(APIView):
    @extend_schema(
        responses=s.MonthOutput(many=True),
        parameters=[OpenApiParameter("months", int, description="1 to 60 (default 12)")],
        summary="The budget month by month",
    )
    def get(self, request, public_id):
        activity = _activity(request, public_id)
        try:
            months = min(max(int(request.query_params.get("months", 12)), 1), 60)
        except ValueError:
            months = 12
        rows = selectors.activity_months(
            activity=activity, today=timezone.localdate(), months=months
        )
        return Response(s.MonthOutput(rows, many=True).data)


class SalaryRequestView(APIView):
    @extend_schema(
        request=s.SalaryRequestInput,
        responses={201: s.ContractOutput},
        summary="Activity tool: request a salary from the available budget",
    )
    def post(self, request, public_id):
        member = _member(request)
        activity = selectors.activity_get_for_member(member=member, public_id=public_id)
        data = s.SalaryRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_request_salary(
            activity=activity, member=member, actor=request.user, **data.validated_data
        )
        return Response(s.ContractOutput(contract).data, status=status.HTTP_201_CREATED)


class ContractListView(generics.ListAPIView):
    serializer_class = s.ContractOutput

    @extend_schema(summary="Employment contracts I may see")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if _is_staff(self.request):
            return selectors.contract_list_for_staff(
                user=user_of(self.request), entity=current_entity(self.request)
            )
        member = selectors.member_of_user(user_of(self.request))
        if member is None:
            return selectors.EmploymentContract.objects.none()
        return selectors.contract_list_for_member(member=member).select_related("member")


class ContractDetailView(APIView):
    @extend_schema(responses=s.ContractOutput, summary="One employment contract")
    def get(self, request, public_id):
        if _is_staff(request):
            contract = selectors.contract_get_for_staff(
                user=request.user, entity=current_entity(request), public_id=public_id
            )
        else:
            contract = selectors.contract_get_for_member(
                member=_member(request), public_id=public_id
            )
        return Response(s.ContractOutput(contract).data)


class ContractCancelView(APIView):
    @extend_schema(
        request=s.CancelInput,
        responses=s.ContractOutput,
        summary="Cancel my contract before it starts (Activity tool)",
    )
    def post(self, request, public_id):
        contract = selectors.contract_get_for_member(member=_member(request), public_id=public_id)
        data = s.CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_cancel(
            contract=contract, reason=data.validated_data["reason"], actor=request.user
        )
        return Response(s.ContractOutput(contract).data)


class ContractExecutiveStatusView(APIView):
    permission_classes = [permission_required(Permission.VALIDATE_CONTRACTS)]

    @extend_schema(
        request=s.ExecutiveStatusInput,
        responses=s.ContractOutput,
        summary="Set a contract's executive (cadre) status (staff, France)",
    )
    def post(self, request, public_id):
        contract = selectors.contract_get_for_staff(
            user=request.user, entity=current_entity(request), public_id=public_id
        )
        data = s.ExecutiveStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_set_executive_status(
            contract=contract, cadre=data.validated_data["cadre"], actor=request.user
        )
        return Response(s.ContractOutput(contract).data)


class ContractJointCommitteeView(APIView):
    permission_classes = [permission_required(Permission.VALIDATE_CONTRACTS)]

    @extend_schema(
        request=s.JointCommitteeInput,
        responses=s.ContractOutput,
        summary="Set a draft contract's joint committee (staff, Belgium)",
    )
    def post(self, request, public_id):
        contract = selectors.contract_get_for_staff(
            user=request.user, entity=current_entity(request), public_id=public_id
        )
        data = s.JointCommitteeInput(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_set_joint_committee(
            contract=contract,
            joint_committee=data.validated_data["joint_committee"],
            actor=request.user,
        )
        return Response(s.ContractOutput(contract).data)


class SimulatorView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[OpenApiParameter("amount", str, required=True)],
        responses=s.SimulationOutput,
        summary="Public simulator: invoice amount → fee → budget → gross → estimated net",
    )
    def get(self, request):
        data = s.SimulatorInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        simulation = calculations.simulate(
            amount_excl_vat=data.validated_data["amount"],
            pack=current_pack(),
            on=timezone.localdate(),
        )
        return Response(s.SimulationOutput(simulation).data)


class LoanRegisterView(generics.ListAPIView):
    serializer_class = s.LoanOutput
    permission_classes = [permission_required(Permission.DECIDE_LOANS)]

    @extend_schema(summary="Loan register of the entity (staff)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.loan_register(entity=current_entity(self.request))
