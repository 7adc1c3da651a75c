from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import permission_required
from .roles import ROLE_PERMISSIONS, Permission
from .tenancy import current_entity, entities_for_user


class MeOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    @extend_schema(responses=MeOutput, summary="The account making the request")
    def get(self, request):
        user = request.user
        return Response(
            MeOutput(
                {
                    "public_id": user.public_id,
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "role": user.role,
                    "permissions": sorted(ROLE_PERMISSIONS.get(user.role, ())),
                }
            ).data
        )


class EntityOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    is_cooperative = serializers.BooleanField()
    is_employer = serializers.BooleanField()
    enterprise_number = serializers.CharField()
    vat_number = serializers.CharField()
    current = serializers.BooleanField()


class EntityListView(APIView):
    permission_classes = [permission_required(Permission.BACKOFFICE_ACCESS)]

    @extend_schema(
        responses=EntityOutput(many=True), summary="Entities the staff member may work in"
    )
    def get(self, request):
        current = current_entity(request)
        return Response(
            [
                EntityOutput(
                    {
                        **{
                            f: getattr(e, f)
                            for f in (
                                "public_id",
                                "name",
                                "is_cooperative",
                                "is_employer",
                                "enterprise_number",
                                "vat_number",
                            )
                        },
                        "current": current is not None and e.pk == current.pk,
                    }
                ).data
                for e in entities_for_user(request.user)
            ]
        )
