"""The aging of open invoices on the back-office invoice list: counts and open amounts by days
past due, computed in PostgreSQL (one aggregate, whatever the number of open invoices)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from invoicing import selectors
from tests.invoicing.conftest import issue_overdue


@pytest.mark.entity_scope("be_entity")
def test_open_invoices_fall_in_their_bucket_with_their_open_amount(
    member, activity, be_client, be_entity
):
    today = date(2026, 6, 1)
    with scopes_disabled():
        # Issued oldest first (the series' dates never go back); 45 days late is paid.
        late = {days: issue_overdue(member, activity, be_client, days, on=today)
                for days in (200, 91, 75, 45, 31, 30, 1, 0)}  # fmt: skip
        paid = late.pop(45)
        paid.status = "paid"
        paid.amount_paid = paid.total_incl_vat
        paid.save(update_fields=["status", "amount_paid"])
    amount = late[0].total_incl_vat
    with CaptureQueriesContext(connection) as queries:
        aging = {b["bucket"]: (b["count"], b["amount"]) for b in
                 selectors.aging_report(entity=be_entity, on=today)}  # fmt: skip
    assert len(queries) == 1
    assert aging == {
        "not_due": (1, amount),  # due today
        "1-30": (2, 2 * amount),
        "31-60": (1, amount),  # the paid one (45 days) is not open
        "61-90": (1, amount),
        "90+": (2, 2 * amount),
    }
