import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from smartcoop.core.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_the_api_answers_anonymous_callers_with_the_error_shape():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code in (401, 403)
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == "not_authenticated"


def test_token_authentication_identifies_the_member(member_user):
    token = Token.objects.create(user=member_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == member_user.email
    assert response.json()["permissions"] == []


def test_staff_list_only_the_entities_they_may_work_in(entity, other_entity):
    adviser = staff_user(Role.ADVISER, entities=[entity])
    client = APIClient()
    client.force_login(adviser)
    names = [e["name"] for e in client.get("/api/v1/entities/").json()]
    assert names == [entity.name]


def test_members_may_not_list_entities(member_user):
    client = APIClient()
    client.force_login(member_user)
    response = client.get("/api/v1/entities/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_openapi_schema_and_its_docs_are_published(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_staff_tokens_work_in_one_entity_and_need_two_factor(entity, other_entity):
    adviser = staff_user(Role.ADVISER, entities=[entity, other_entity])
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=adviser).key}",
        HTTP_X_SMARTCOOP_ENTITY=str(other_entity.public_id),
    )
    rows = client.get("/api/v1/entities/").json()
    assert [row["name"] for row in rows if row["current"]] == [other_entity.name]

    no_mfa = staff_user(Role.ADVISER, entities=[entity], mfa=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=no_mfa).key}")
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "two-factor" in response.json()["message"]
