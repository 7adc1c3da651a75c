"""The payroll API (/api/v1/payroll/): today the member's own tax profile."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from activities import selectors as activity_selectors

from .. import selectors, services
from . import serializers as s


def _member(request):
    member = activity_selectors.member_of_user(request.user)
    if member is None:
        raise Http404
    return member


def _state(member) -> dict:
    current = selectors.tax_profile_entry_at(member=member, on=timezone.localdate())
    return {
        "complete": current is not None,
        "current": current,
        "history": list(selectors.tax_profile_history(member=member)),
    }


class TaxProfileView(APIView):
    @extend_schema(responses=s.TaxProfileStateOutput, summary="My tax profile and its history")
    def get(self, request):
        return Response(s.TaxProfileStateOutput(_state(_member(request))).data)

    @extend_schema(
        request=s.TaxProfileInput,
        responses={201: s.TaxProfileStateOutput},
        summary="Record a change of my tax profile from a date (today or later)",
    )
    def post(self, request):
        member = _member(request)
        data = s.TaxProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.tax_profile_record(
            member=member, actor=request.user, today=timezone.localdate(), **data.validated_data
        )
        return Response(
            s.TaxProfileStateOutput(_state(member)).data, status=status.HTTP_201_CREATED
        )
