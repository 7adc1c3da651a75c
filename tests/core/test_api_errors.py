"""The API answers every error in its one JSON shape — a 500 and an unknown URL included — with
nested validation errors at their dotted path, and its schema says so."""

from __future__ import annotations

import uuid

import pytest
import yaml
from django.test import Client
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db


class Boom(APIView):
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("a bug that must not leak as HTML")


class Fine(APIView):
    permission_classes: list = []

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/boom/", Boom.as_view()),
    path("api/v1/fine/", Fine.as_view()),
    path("", include("smartcoop.urls")),
]


@pytest.mark.urls("tests.core.test_api_errors")
def test_an_unhandled_exception_under_the_api_answers_json_500(caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "server_error" and set(body) == {"code", "message", "extra"}
    assert "a bug that must not leak" not in response.text
    # …and the exception is in the log with its traceback.
    assert any("RuntimeError" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    assert client.get("/api/v1/fine/").json() == {"ok": True}


def test_an_unknown_api_url_answers_json_404_and_a_page_url_html(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "text/html" in page["Content-Type"]


def test_nested_validation_errors_are_named_by_their_path(member_user):
    from tests.factories import LegalEntityFactory
    from tests.invoicing.conftest import make_activity, make_member

    member = make_member(user=member_user)
    activity = make_activity(entity=LegalEntityFactory(), member=member)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member_user)
    response = client.post(
        "/api/v1/invoicing/invoices/",
        {
            "activity": str(activity.public_id),
            "client": str(uuid.uuid4()),
            "lines": [
                {"description": "Mixing", "quantity": "2", "unit_price": "50"},
                {"description": "", "quantity": "lots", "unit_price": "50"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    fields = body["extra"]["fields"]
    assert set(fields) == {"lines.1.description", "lines.1.quantity"}
    assert fields["lines.1.quantity"] == ["A valid number is required."]
    assert body["message"] in fields["lines.1.description"] + fields["lines.1.quantity"]


def test_the_schema_documents_paginated_lists_and_the_error_shape(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths, components = schema["paths"], schema["components"]["schemas"]

    invoices = paths["/api/v1/invoicing/invoices/"]
    listed = invoices["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = components[listed["$ref"].rsplit("/", 1)[-1]]
    assert {"count", "next", "previous", "results"} <= set(envelope["properties"])
    assert "201" in invoices["post"]["responses"]  # a create answers 201, as documented

    error = components["ErrorOutput"]
    assert set(error["properties"]) == {"code", "message", "extra"}
    for url, operations in paths.items():
        for method, operation in operations.items():
            public = url == "/api/v1/activities/simulator/"
            assert ("401" in operation["responses"]) is not public, (url, method)
            for status in ("400", "404", "500"):
                body = operation["responses"][status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorOutput"}, (url, method, status)
