"""Activities inputs beyond what the columns or the calendar hold, control characters, uploads
served by content: refused with the limit in the message and nothing stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from activities import services
from activities.models import Activity, EmploymentContract, ExpenseLine, Loan
from smartcoop.core.errors import ValidationFailed
from tests.activities.factories import ActivityFactory, credit
from tests.activities.test_expenses_loans_solidarity import PDF, TODAY, claim_with_line

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]


def test_a_pdf_named_html_is_served_as_a_pdf_never_as_a_page(client):
    activity = ActivityFactory()
    credit(activity, "500.00")
    claim = claim_with_line(activity)
    line = claim.lines.get()
    line.receipt.save("invoice.html", SimpleUploadedFile("invoice.html", PDF), save=True)
    client.force_login(activity.coordinator.user)
    response = client.get(reverse("activities:expense_receipt", args=[line.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert 'filename="invoice' in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]
    assert ".html" not in response["Content-Disposition"]
    # Content of no accepted type (a row from before the checks): an opaque download.
    line.receipt.save("page.html", SimpleUploadedFile("page.html", b"<script>x</script>"))
    response = client.get(reverse("activities:expense_receipt", args=[line.public_id]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_one_day_contract_of_99999_hours_is_refused_with_the_limit():
    activity = ActivityFactory()
    credit(activity, "50000.00")
    with pytest.raises(ValidationFailed) as error:
        services.contract_request_salary(
            activity=activity,
            member=activity.coordinator,
            contract_type="employee",
            start_date=TODAY + dt.timedelta(days=3),
            end_date=TODAY + dt.timedelta(days=3),
            hours=Decimal("99999.99"),
            gross_wage=Decimal("100.00"),
            function="Sound engineer",
            actor=None,
        )
    assert error.value.field == "hours"
    assert error.value.message == (
        "1 day(s) hold at most 24 hours (with at most 2 decimals); 99999.99 were given."
    )
    assert EmploymentContract.objects.count() == 0


def test_an_expense_dated_1900_is_refused_with_the_first_day_allowed():
    activity = ActivityFactory()
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="Trip", actor=None
    )
    with pytest.raises(ValidationFailed) as error:
        services.expense_line_add(
            claim=claim,
            spent_on=dt.date(1900, 1, 1),
            category="km",
            description="Gent",
            km=Decimal("10"),
            actor=None,
        )
    assert error.value.field == "spent_on"
    # The first day allowed is the Activity's creation day where the cooperative is (a claim
    # made just after midnight in Brussels is still the day before in UTC), written as a date.
    created = timezone.localdate(activity.created_at)
    assert date_format(created, "SHORT_DATE_FORMAT") in error.value.message
    assert ExpenseLine.objects.count() == 0


def test_money_beyond_the_columns_is_refused_with_the_limit():
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed) as error:
        services.loan_apply(
            activity=activity,
            member=activity.coordinator,
            purpose="Van",
            amount=Decimal("999000000000000"),
            months=12,
            actor=None,
        )
    assert error.value.field == "amount"
    assert error.value.message == "The amount must be below 1 000 000 000 000."
    with pytest.raises(ValidationFailed) as error:
        services.loan_apply(
            activity=activity,
            member=activity.coordinator,
            purpose="Van",
            amount=Decimal("1000.005"),
            months=12,
            actor=None,
        )
    assert "at most 2 decimals" in error.value.message
    assert Loan.objects.count() == 0


def test_a_reserve_above_the_balance_is_refused_with_the_balance():
    from activities.selectors import activity_budget

    activity = ActivityFactory()
    credit(activity, "500.00")
    balance = activity_budget(activity=activity).balance
    with pytest.raises(ValidationFailed) as error:
        services.activity_set_reserve(
            activity=activity, amount=balance + Decimal("0.01"), actor=None
        )
    assert error.value.field == "reserve_amount"
    assert error.value.message == (
        f"The reserve cannot be above the balance of the Activity (€{balance})."
    )
    activity.refresh_from_db()
    assert activity.reserve_amount == 0
    services.activity_set_reserve(activity=activity, amount=balance, actor=None)
    activity.refresh_from_db()
    assert activity.reserve_amount == balance


def test_an_unknown_workplace_country_is_refused():
    activity = ActivityFactory()
    credit(activity, "50000.00")
    with pytest.raises(ValidationFailed) as error:
        services.contract_request_salary(
            activity=activity,
            member=activity.coordinator,
            contract_type="employee",
            start_date=TODAY + dt.timedelta(days=3),
            end_date=TODAY + dt.timedelta(days=3),
            hours=Decimal("8"),
            gross_wage=Decimal("100.00"),
            function="Sound engineer",
            workplace_country="XX",
            actor=None,
        )
    assert error.value.field == "workplace_country"
    assert EmploymentContract.objects.count() == 0


@pytest.mark.parametrize("name", ["Sound\nand light", "Sound\x00", "Sound\u2028light"])
def test_control_characters_in_an_activity_name_are_refused(name):
    template = ActivityFactory()
    before = Activity.objects.count()
    with pytest.raises(ValidationFailed) as error:
        services.activity_create(
            entity=template.entity,
            coordinator=template.coordinator,
            name=name,
            sector=template.sector,
            actor=None,
        )
    assert error.value.field == "name" and "fit on one line" in error.value.message
    assert Activity.objects.count() == before


def test_the_activity_form_shows_the_error_at_the_name(client):
    template = ActivityFactory()
    client.force_login(template.coordinator.user)
    response = client.post(
        reverse("activities:create"),
        {
            "entity": template.entity.pk,
            "name": "Sound\x1band light",
            "sector": template.sector,
            "description": "Line one\nline two",
        },
    )
    assert response.status_code == 200
    assert "U+001B" in response.text
    assert Activity.objects.count() == 1


def test_an_upload_is_stored_under_the_extension_of_its_content():
    activity = ActivityFactory()
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="Cables", actor=None
    )
    line = services.expense_line_add(
        claim=claim,
        spent_on=TODAY,
        category="equipment",
        description="XLR cables",
        amount_incl_vat=Decimal("12.10"),
        vat_amount=Decimal("2.10"),
        receipt=SimpleUploadedFile("receipt.html", PDF, content_type="text/html"),
        actor=None,
    )
    stored = line.receipt.name.rsplit("/", 1)[-1]
    assert stored.startswith("receipt") and stored.endswith(".pdf")


def test_staff_reasons_keep_line_breaks_but_refuse_control_characters():
    activity = ActivityFactory()
    with pytest.raises(ValidationFailed) as error:
        services.activity_suspend(activity=activity, reason="Unpaid\x1b[2J", actor=None)
    assert error.value.field == "reason" and "U+001B" in error.value.message
    activity.refresh_from_db()
    assert activity.status_reason == ""
    services.activity_suspend(activity=activity, reason="Unpaid\nsince March", actor=None)
    activity.refresh_from_db()
    assert activity.status_reason == "Unpaid\nsince March"
