"""The API answers what its schema documents: every read operation, called as a member and as
staff on real rows, returns a body that validates against the operation's documented response
(a paginated list its envelope, an array an array, an object its fields and types), and a
refusal its documented error shape."""

from __future__ import annotations

import pytest
import requests
import schemathesis

from tests.core.test_api_fuzz import api_world, be_entity_live  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_read_answers_what_the_schema_documents(live_server, api_world):  # noqa: F811
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    tokens = {
        "member": {"Authorization": f"Token {api_world['member']}"},
        "staff": {
            "Authorization": f"Token {api_world['staff']}",
            "X-Smartcoop-Entity": str(api_world["entity"].public_id),
        },
    }
    failures: list[str] = []
    checked: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        ids = api_world["ids"] if "{public_id}" in operation.path else [None]
        for who, headers in tokens.items():
            for public_id in ids:
                path = operation.path.replace("{public_id}", public_id or "")
                response = requests.get(
                    f"{live_server.url}{path}",
                    params={"amount": "1000"} if path.endswith("/simulator/") else None,
                    headers=headers,
                    timeout=30,
                )
                checked[response.status_code] = checked.get(response.status_code, 0) + 1
                try:
                    operation.validate_response(response)
                except AssertionError as error:  # one mismatch (schemathesis' Failure)
                    failures.append(f"{who} GET {path} {response.status_code}: {error}"[:500])
                except BaseExceptionGroup as group:  # several
                    failures += [f"{who} GET {path}: {e}"[:500] for e in group.exceptions]
    print(checked)
    assert checked.get(200, 0) >= 15  # the reads reach real rows, not only their 404
    assert failures == [], "\n\n".join(failures)
