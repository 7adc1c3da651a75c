"""Property-based: the member's forms (client, invoice, quote, payment-page message, Activity,
expense claim, loan, reserve) posted by hypothesis with one field replaced by a hostile value
(control characters, line breaks, huge or non-finite numbers, dates in 1900 or 9999, very long
text). Whatever is posted: no 5xx (the test client raises on a server error), and a refused form
(re-rendered, or any answer but a redirect) writes no row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity, ActivityMembership
from invoicing import services
from invoicing.tasks import invoice_render_documents
from tests.activities.factories import credit

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "-Infinity",
            "1E+20",
            "1e400",
            "99999999999999999999",
            "-1",
            "0.001",
            "12,345.678",
            "1900-01-01",
            "9999-12-31",
            "0000-00-00",
            "a\x00b",
            "a\nb",
            "=HYPERLINK(1)",
            "\u202etxt",
            "x" * 5001,
            "ZZ",
            "00000000-0000-0000-0000-000000000000",
        ]
    ),
    st.text(max_size=60),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)

NOT_BUSINESS = {"django_session", "authtoken_token", "smartcoop_core_auditentry"}


def row_counts() -> dict[str, int]:
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy and m._meta.db_table not in NOT_BUSINESS
        }
    )
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())


@pytest.fixture
def forms(member, activity, be_client, issued, settings, tmp_path):
    """(url, valid data) of each form; the data is what a person would post."""
    settings.MEDIA_ROOT = tmp_path / "media"
    credit(activity, "1000.00")
    ActivityMembership.objects.filter(activity=activity, member=member).update(can_spend=True)
    invoice_render_documents(issued.pk, entity_id=issued.entity_id)
    token = services.payment_link_token(invoice=issued)
    lines = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-description": "Concert",
        "lines-0-quantity": "1",
        "lines-0-unit": "C62",
        "lines-0-unit_price": "1000",
        "lines-0-vat_rate_code": "standard",
    }
    a, c = str(activity.public_id), str(be_client.public_id)
    return {
        "client": (
            reverse("invoicing:member_client_new"),
            {
                "activity": a,
                "kind": "company",
                "name": "Cultuurcentrum",
                "country": "BE",
                "street": "Kade 1",
                "postcode": "2000",
                "city": "Antwerpen",
                "email": "ap@cc.example",
                "language": "nl",
            },
        ),
        "invoice": (
            reverse("invoicing:member_invoice_new"),
            {"activity": a, "client": c, "payment_days": "30", "note": "Thanks", **lines},
        ),
        "quote": (
            reverse("invoicing:member_quote_new"),
            {"activity": a, "client": c, "title": "Festival", "valid_days": "30", **lines},
        ),
        "pay": (
            reverse("invoicing:pay", args=[token]),
            {"name": "A. Client", "email": "a@client.example", "message": "When?"},
        ),
        "activity": (
            reverse("activities:create"),
            {
                "entity": str(activity.entity.pk),
                "name": "Lights",
                "sector": activity.sector,
                "description": "Stage lights",
            },
        ),
        "expense": (
            reverse("activities:expense_create", args=[activity.public_id]),
            {"title": "Cables"},
        ),
        "loan": (
            reverse("activities:loan_apply", args=[activity.public_id]),
            {"purpose": "A van", "amount": "1200", "months": "12"},
        ),
        "reserve": (
            reverse("activities:reserve", args=[activity.public_id]),
            {"reserve_amount": "100"},
        ),
    }


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_forms_with_one_hostile_field_answer_and_refuse_cleanly(client, member, forms, data):
    name = data.draw(st.sampled_from(sorted(forms)), label="form")
    url, valid = forms[name]
    field = data.draw(st.sampled_from(sorted(valid)), label="field")
    value = data.draw(HOSTILE, label="value")
    client.force_login(member.user)
    with transaction.atomic():
        before = row_counts()
        response = client.post(url, {**valid, field: value})
        assert response.status_code < 500
        if response.status_code != 302:
            assert row_counts() == before, (name, field, value)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_each_valid_form_is_accepted(client, member, forms):
    """The property above is only worth something if the untouched forms go through."""
    client.force_login(member.user)
    for name, (url, valid) in forms.items():
        before = row_counts()
        response = client.post(url, valid)
        assert response.status_code == 302, name
        if name != "reserve":
            assert row_counts() != before, name
    assert Activity.objects.filter(name="Lights").exists()
    assert Decimal("100.00") == Activity.objects.get(name="Sound and light").reserve_amount
