"""The OpenAPI schema fuzzed by schemathesis against the live server, as a member and as staff
(tokens, the entity header): no answer is a 5xx, and a refused request (4xx) writes nothing.

Bounded: a fixed number of generated cases per operation and token (about 400 in all, ~1-2
minutes on 2 cores), derandomized so a failure is reproducible; half of the path ids are real
ones of the data below, so the operations are reached, not only their 404."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import schemathesis
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

from invoicing import services as invoicing
from smartcoop.core.roles import Role
from tests.factories import staff_user
from tests.invoicing.conftest import LINES, make_activity, make_member

READ_CASES, WRITE_CASES = 6, 20  # per operation and token: ~430 calls in all

pytestmark = pytest.mark.django_db(transaction=True)

# Rows a refused request may still write: the session and the token's last use, the audit of a
# refusal, throttling. Everything else must be unchanged after a 4xx.
NOT_BUSINESS = {"django_session", "authtoken_token", "smartcoop_core_auditentry"}


def business_tables() -> list[str]:
    tables = []
    for model in apps.get_models():
        table = model._meta.db_table
        if model._meta.managed and not model._meta.proxy and table not in NOT_BUSINESS:
            tables.append(table)
    return sorted(set(tables))


def row_counts(tables: list[str]) -> dict[str, int]:
    # Table names come from the models, not from input.
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())


@pytest.fixture
def api_world(be_entity_live):
    """A member with an Activity, a client, a draft and an issued invoice; an accountant."""
    entity = be_entity_live
    member = make_member()
    activity = make_activity(entity=entity, member=member)
    client = invoicing.client_create(
        entity=entity,
        actor=member.user,
        activity=activity,
        kind="company",
        name="Theater Antwerpen",
        street="Kade 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE0403170701",
    )
    draft = invoicing.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=LINES
    )
    other = invoicing.invoice_draft_save(
        actor=member.user, activity=activity, client=client, lines=LINES
    )
    invoicing.invoice_issue(invoice=other, issued_by=member.user, on=date.today())
    staff = staff_user(Role.ACCOUNTANT, entities=[entity])
    return {
        "entity": entity,
        "ids": [
            str(activity.public_id),
            str(draft.public_id),
            str(other.public_id),
            str(member.public_id),
        ],
        "body": {"activity": str(activity.public_id), "client": str(client.public_id)},
        "member": Token.objects.create(user=member.user).key,
        "staff": Token.objects.create(user=staff).key,
    }


@pytest.fixture
def be_entity_live(transactional_db):
    from tests.factories import LegalEntityFactory

    return LegalEntityFactory(name="Verenigde Producties", invoice_series_prefix="VP")


@pytest.mark.parametrize("who", ["member", "staff"])
def test_no_generated_api_call_answers_5xx_or_writes_on_refusal(live_server, api_world, who):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    headers = {"Authorization": f"Token {api_world[who]}"}
    if who == "staff":
        headers["X-Smartcoop-Entity"] = str(api_world["entity"].public_id)
    tables = business_tables()
    failures: list[str] = []
    calls = answered = 0

    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        real_ids = st.sampled_from(api_world["ids"])
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=WRITE_CASES if operation.method.upper() == "POST" else READ_CASES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases, real=st.booleans(), real_id=real_ids)
        def call(case, real, real_id):
            nonlocal calls, answered
            if real and case.path_parameters and "public_id" in case.path_parameters:
                case.path_parameters["public_id"] = real_id
            if real and isinstance(case.body, dict):  # a real activity and client to bill
                for key, value in api_world["body"].items():
                    if key in case.body:
                        case.body[key] = value
            before = row_counts(tables)
            response = case.call(base_url=f"{live_server.url}", headers=headers, timeout=30)
            calls += 1
            statuses[response.status_code] += 1
            answered += response.status_code < 300
            where = f"{case.method} {case.formatted_path} {case.body!r:.200}"
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {where}: {response.text[:300]}")
            elif response.status_code >= 400:
                after = row_counts(tables)
                changed = {t: (before[t], after[t]) for t in tables if before[t] != after[t]}
                if changed:
                    failures.append(f"{response.status_code} wrote {changed}: {where}")

        call()
    print(who, calls, "calls", dict(sorted(statuses.items())))
    assert calls >= 6 * 22
    assert answered >= 20  # the calls reach the operations, not only their 401/404
    assert failures == []
