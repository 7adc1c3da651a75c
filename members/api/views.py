"""The members API: a member's own profile and shares; staff's portfolio and member detail.
Same permissions and the same selectors as the pages: what a page would 404, the API 404s."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from smartcoop.core.errors import NotFound
from smartcoop.core.models import User
from smartcoop.core.payments import structured_communication_format
from smartcoop.core.roles import Permission, has_permission

from .. import selectors
from ..models import Member, ShareSubscription
from . import serializers as s


def hidden_unless(permission: Permission) -> type[permissions.BasePermission]:
    """Like core.api.permission_required, but answers 404 like the pages do: the staff API does
    not reveal to a member that it exists."""

    class _Hidden(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            if not has_permission(request.user, permission):
                raise NotFound("Not found.")
            return True

    _Hidden.__name__ = f"HiddenUnless_{permission.name}"
    return _Hidden


def _summary(member: Member) -> dict:
    return {
        "public_id": member.public_id,
        "display_name": member.display_name,
        "kind": member.kind,
        "status": member.status,
        "member_number": member.member_number,
        "email": member.email,
        "sector": member.sector,
        "office": member.office.name if member.office else None,
        "adviser": str(member.adviser) if member.adviser_id else None,
    }


def _detail(member: Member, user: User) -> dict:
    return {
        **_summary(member),
        "first_name": member.first_name,
        "last_name": member.last_name,
        "legal_name": member.legal_name,
        "birth_date": member.birth_date,
        "national_number": selectors.national_number_for(member=member, user=user),
        "enterprise_number": member.enterprise_number,
        "street": member.street,
        "postcode": member.postcode,
        "city": member.city,
        "country": member.country,
        "language": member.language,
        "profession": member.profession,
        "onboarding_step": member.onboarding_step,
        "joined_on": member.joined_on,
        "left_on": member.left_on,
        "holdings": [h.__dict__ for h in selectors.member_holdings(member=member)],
    }


def _subscription(sub: ShareSubscription) -> dict:
    return {
        "public_id": sub.public_id,
        "created_at": sub.created_at,
        "kind": sub.kind,
        "category": sub.category,
        "shares": sub.shares,
        "amount": sub.amount,
        "status": sub.status,
        "paid_on": sub.paid_on,
        "structured_communication": structured_communication_format(sub.structured_reference),
        "certificate_available": bool(sub.certificate),
    }


def _own_member(request) -> Member:
    member = selectors.member_of_user(user=request.user)
    if member is None:
        raise NotFound("You have not started joining the cooperative yet.")
    return member


class MyProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.MemberDetailOutput, summary="My member profile")
    def get(self, request):
        member = _own_member(request)
        return Response(s.MemberDetailOutput(_detail(member, request.user)).data)


class MySharesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.SharesOutput, summary="My shares, subscriptions and register")
    def get(self, request):
        member = _own_member(request)
        data = {
            "holdings": [h.__dict__ for h in selectors.member_holdings(member=member)],
            "subscriptions": [
                _subscription(x) for x in selectors.member_subscriptions(member=member)
            ],
            "register_entries": list(
                selectors.member_register_entries(member=member).values(
                    "entry_date", "kind", "category", "shares", "amount"
                )
            ),
        }
        return Response(s.SharesOutput(data).data)


class PortfolioView(GenericAPIView):
    permission_classes = [IsAuthenticated, hidden_unless(Permission.BACKOFFICE_ACCESS)]
    serializer_class = s.MemberSummaryOutput

    @extend_schema(
        summary="Members the caller follows (portfolio)",
        responses=s.MemberSummaryOutput(many=True),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="name, e-mail or member number"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Member.Status.values),
            OpenApiParameter("sector", OpenApiTypes.STR),
            OpenApiParameter("attention", OpenApiTypes.BOOL, description="needs attention"),
        ],
    )
    def get(self, request):
        params = request.query_params
        members = selectors.member_portfolio(
            user=request.user,
            search=params.get("q", "")[:100],
            status=params.get("status", ""),
            sector=params.get("sector", ""),
            needs_attention=params.get("attention") in ("1", "true"),
        )
        page = self.paginate_queryset(members)
        return self.get_paginated_response(
            s.MemberSummaryOutput(map(_summary, members if page is None else page), many=True).data
        )


class MemberDetailView(APIView):
    permission_classes = [IsAuthenticated, hidden_unless(Permission.BACKOFFICE_ACCESS)]

    @extend_schema(responses=s.MemberDetailOutput, summary="One member (staff)")
    def get(self, request, public_id):
        member = selectors.member_get_for_staff(user=request.user, public_id=public_id)
        return Response(s.MemberDetailOutput(_detail(member, request.user)).data)
