import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from activities import services
from activities.models import Activity, EmploymentContract, ExpenseClaim, Loan, SolidarityRequest
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract
from tests.factories import LegalEntityFactory, OfficeFactory, UserFactory, staff_user

# Code under test runs in the scope of the Activities tests' entity (see factories).
pytestmark = [pytest.mark.django_db, pytest.mark.entity_scope("activities_entity")]
TODAY = dt.date.today()


@pytest.fixture
def member():
    return make_member()


@pytest.fixture
def activity(member):
    activity = ActivityFactory(coordinator=member)
    credit(activity, "1000.00")
    return activity


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


@pytest.fixture
def adviser(activity):
    office = OfficeFactory()
    activity.coordinator.office = office
    activity.coordinator.save()
    return staff_user("adviser", office=office, entities=[activity.entity])


@pytest.fixture
def adviser_client(client, adviser):
    client.force_login(adviser)
    return client


def test_simulator_is_public_and_shows_the_worked_example(client):
    response = client.get(reverse("activities:simulator"), {"amount": "1000"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "935" in body and "603" in body and "857" in body
    assert "Estimate" in body
    # The largest gross whose employer cost fits the €935.00 budget, to the cent: never one
    # that costs €935.01 (€603.23 at 1.55), never a cent short (€857.79 at 1.09).
    assert "€603.22" in body and "€857.80" in body
    assert "603.23" not in body and "857.79" not in body and "935.01" not in body


def _rows(html: str) -> list[list[str]]:
    """The table rows of a page as lists of cell texts (tags dropped, spaces normalised)."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(
            [" ".join(re.sub(r"<[^>]+>", " ", c).replace("&nbsp;", " ").split()) for c in cells]
        )
    return rows


def test_simulator_shows_the_employer_cost_next_to_gross_and_net(client):
    """Per contract type the employer cost the budget pays (gross x coefficient, never above the
    €935.00 budget), and line by line how it splits into gross and employer contributions."""
    body = client.get(reverse("activities:simulator"), {"amount": "1000"}).content.decode()
    rows = _rows(body)
    header = next(r for r in rows if "Contract type" in r)
    # Long headings, and the short ones a phone shows: "Employer cost Cost", "Gross wage Gross".
    cost = header.index("Employer cost Cost")
    assert header[cost + 1] == "Gross wage Gross" and header[-1] == "Estimated net Net"
    # (each label is also a row of its own, shown instead of the first column on a phone)
    fixed_term = next(r for r in rows if len(r) > 1 and r[0] == "Employee (fixed term)")
    student = next(r for r in rows if len(r) > 1 and r[0] == "Student")
    assert fixed_term[cost] == "€934.99" and student[cost] == "€935.00"
    # Line by line: €603.22 + €331.77 = €934.99 (1.55 x 603.22 = 934.991).
    assert [
        "Employer contributions and insurance",
        "gross \u00d7 1.55, less the gross",
        "+ €331.77",
    ] in rows
    assert ["Employer cost", "", "€934.99"] in rows
    # In Dutch, money is written the Dutch way.
    client.cookies["django_language"] = "nl"
    dutch = client.get(
        reverse("activities:simulator"), {"amount": "1000"}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    text = dutch.content.decode()
    assert "Werkgeverskost" in text and "€ 934,99" in text.replace("\xa0", " ")


def test_simulator_refuses_nonsense_politely(client):
    response = client.get(reverse("activities:simulator"), {"amount": "-5"})
    assert response.status_code == 200
    assert response.context["simulation"] is None


def test_member_lists_only_own_activities(member_client, activity):
    other = ActivityFactory(name="Someone else's")
    response = member_client.get(reverse("activities:member_index"))
    assert activity.name in response.content.decode()
    assert other.name not in response.content.decode()


def test_member_creates_an_activity(member_client, member):
    entity = LegalEntityFactory()
    response = member_client.post(
        reverse("activities:create"),
        {"entity": entity.pk, "name": "Studio Nova", "sector": "music", "description": ""},
    )
    with scope(entity=entity.pk):
        activity = Activity.objects.get(name="Studio Nova")
    assert response.status_code == 302
    assert activity.status == "draft" and activity.coordinator == member


def test_dashboard_shows_figures_chart_and_runs_few_queries(
    member_client, activity, django_assert_max_num_queries
):
    for _ in range(30):
        credit(activity, "10.00")
    url = reverse("activities:detail", args=[activity.public_id])
    with django_assert_max_num_queries(20):
        response = member_client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "Available to pay now" in body
    assert "What these figures mean" in body


@pytest.mark.parametrize(
    "name",
    [
        "activities:detail",
        "activities:salary_request",
        "activities:expense_create",
        "activities:loan_apply",
        "activities:team",
    ],
)
def test_another_members_activity_is_404(member_client, name):
    other = ActivityFactory()
    assert member_client.get(reverse(name, args=[other.public_id])).status_code == 404


def test_another_members_contract_and_claim_are_404(member_client):
    other = ActivityFactory()
    credit(other, "1000.00")
    contract = salary_contract(other)
    claim = services.expense_claim_create(
        activity=other, member=other.coordinator, title="x", actor=None
    )
    assert (
        member_client.get(reverse("activities:contract", args=[contract.public_id])).status_code
        == 404
    )
    assert (
        member_client.get(reverse("activities:expense", args=[claim.public_id])).status_code == 404
    )


def test_salary_request_previews_then_creates(member_client, activity):
    url = reverse("activities:salary_request", args=[activity.public_id])
    start = TODAY + dt.timedelta(days=9)
    data = {
        "contract_type": "employee",
        "start_date": start,
        "end_date": start,
        "hours": "8",
        "gross_wage": "200.00",
        "function": "Guitarist",
        "workplace_country": "BE",
        "workplace_address": "",
    }
    preview = member_client.post(url, data)
    body = preview.content.decode()
    assert "310" in body  # 200 x 1.55
    assert "Confirm the request" in body
    assert not EmploymentContract.objects.exists()
    response = member_client.post(url, {**data, "confirm": "True"})
    contract = EmploymentContract.objects.get()
    assert response.status_code == 302
    assert contract.employer_cost == Decimal("310.00")


def test_salary_request_above_budget_shows_the_figures(member_client, activity):
    url = reverse("activities:salary_request", args=[activity.public_id])
    start = TODAY + dt.timedelta(days=9)
    response = member_client.post(
        url,
        {
            "contract_type": "employee",
            "start_date": start,
            "end_date": start,
            "hours": "8",
            "gross_wage": "900.00",
            "function": "Guitarist",
            "confirm": "True",
        },
    )
    digits = "".join(ch for ch in str(response.context["form"].errors) if ch.isdigit() or ch == " ")
    assert "93500" in digits.replace(" ", "") and "139500" in digits.replace(" ", "")
    assert not EmploymentContract.objects.exists()


def test_salary_request_shows_the_largest_gross_before_trying(member_client, activity):
    """EUR 1,000 invoiced -> EUR 935.00 available: employee 1.55 -> EUR 603.22 (cost 934.99),
    student 1.09 -> EUR 857.80 (cost 935.002 -> EUR 935.00, which fits)."""
    response = member_client.get(reverse("activities:salary_request", args=[activity.public_id]))
    largest = {line["code"]: line["max_gross"] for line in response.context["largest"]}
    assert largest["employee"] == Decimal("603.22")
    assert largest["student"] == Decimal("857.80")
    assert "€857.80" in response.content.decode()


def test_salary_request_refused_keeps_the_form_usable(member_client, activity):
    """Over budget: the values stay, a button stays, and 'use the largest' makes it fit."""
    url = reverse("activities:salary_request", args=[activity.public_id])
    start = TODAY + dt.timedelta(days=9)
    data = {
        "contract_type": "employee",
        "start_date": start,
        "end_date": start,
        "hours": "8",
        "gross_wage": "900.00",
        "function": "Guitarist",
        "confirm": "True",
    }
    refused = member_client.post(url, data)
    body = refused.content.decode()
    assert refused.context["form"].errors
    assert 'value="Guitarist"' in body and 'value="900.00"' in body
    assert "See gross, cost and net" in body and "Use the largest gross (€603.22)" in body
    assert not EmploymentContract.objects.exists()

    fitted = member_client.post(url, {**data, "confirm": "", "use_largest": "1"})
    body = fitted.content.decode()
    assert fitted.context["preview"]["fits"] is True
    assert 'value="603.22"' in body and "Confirm the request" in body
    confirmed = member_client.post(url, {**data, "gross_wage": "603.22", "confirm": "True"})
    assert confirmed.status_code == 302
    assert EmploymentContract.objects.get().employer_cost == Decimal("934.99")


def test_expense_claim_journey(member_client, activity):
    response = member_client.post(
        reverse("activities:expense_create", args=[activity.public_id]), {"title": "Tour"}
    )
    claim = ExpenseClaim.objects.get()
    url = reverse("activities:expense", args=[claim.public_id])
    assert response["Location"] == url
    member_client.post(
        url, {"spent_on": TODAY, "category": "km", "description": "Gent", "km": "10"}
    )
    claim.refresh_from_db()
    assert claim.total == Decimal("4.33")
    member_client.post(url, {"action": "submit"})
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_loan_and_solidarity_requests(member_client, activity, member):
    member_client.post(
        reverse("activities:loan_apply", args=[activity.public_id]),
        {"purpose": "Camera", "amount": "1200", "months": "12"},
    )
    assert Loan.objects.get().status == "requested"
    member_client.post(
        reverse("activities:solidarity"),
        {"reason": "health", "explanation": "ill", "amount_requested": "300"},
    )
    assert SolidarityRequest.objects.get().member == member


def test_adviser_sees_office_activities_only(adviser_client, activity):
    other_office = ActivityFactory(entity=activity.entity)
    response = adviser_client.get(reverse("activities:staff_index"))
    assert activity.name in response.content.decode()
    assert other_office.name not in response.content.decode()
    assert (
        adviser_client.get(
            reverse("activities:staff_activity", args=[other_office.public_id])
        ).status_code
        == 404
    )


def test_staff_of_another_entity_gets_404(client, activity):
    accountant = staff_user("accountant", entities=[LegalEntityFactory()])
    client.force_login(accountant)
    assert (
        client.get(reverse("activities:staff_activity", args=[activity.public_id])).status_code
        == 404
    )


def test_adviser_validates_activity_and_contract(adviser_client, activity):
    activity.status = Activity.Status.DRAFT
    activity.save()
    adviser_client.post(
        reverse("activities:staff_activity_action", args=[activity.public_id]),
        {"action": "validate"},
    )
    activity.refresh_from_db()
    assert activity.status == "active"
    contract = salary_contract(activity)
    adviser_client.post(
        reverse("activities:staff_contract", args=[contract.public_id]), {"action": "validate"}
    )
    contract.refresh_from_db()
    assert contract.status == "validated"


def test_adviser_approves_expense(adviser_client, activity):
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="Km", actor=None
    )
    services.expense_line_add(
        claim=claim, spent_on=TODAY, category="km", description="x", km=Decimal("10"), actor=None
    )
    services.expense_claim_submit(claim=claim, actor=None)
    page = adviser_client.get(reverse("activities:staff_expense", args=[claim.public_id]))
    assert page.status_code == 200
    adviser_client.post(
        reverse("activities:staff_expense", args=[claim.public_id]), {"action": "approve"}
    )
    claim.refresh_from_db()
    assert claim.status == "approved"


def test_member_cannot_reach_the_back_office(member_client, activity):
    for url in (
        reverse("activities:staff_index"),
        reverse("activities:staff_activity", args=[activity.public_id]),
        reverse("activities:staff_loans"),
        reverse("activities:staff_reconciliation"),
        reverse("activities:staff_solidarity"),
    ):
        assert member_client.get(url).status_code == 404


def test_accountant_sees_reconciliation_and_loan_register(client, activity):
    accountant = staff_user("accountant", entities=[activity.entity])
    client.force_login(accountant)
    response = client.get(reverse("activities:staff_reconciliation"))
    assert response.status_code == 200
    assert "Everything adds up" in response.content.decode()
    loan = services.loan_apply(
        activity=activity,
        member=activity.coordinator,
        purpose="Van",
        amount=Decimal("500"),
        months=5,
        actor=None,
    )
    client.post(
        reverse("activities:staff_loan_action", args=[loan.public_id]), {"action": "approve"}
    )
    client.post(
        reverse("activities:staff_loan_action", args=[loan.public_id]), {"action": "disburse"}
    )
    loan.refresh_from_db()
    assert loan.status == "disbursed"
    assert "Van" in client.get(reverse("activities:staff_loans")).content.decode()


def test_advisers_do_not_see_solidarity_requests(adviser_client):
    assert adviser_client.get(reverse("activities:staff_solidarity")).status_code == 404


def test_committee_decides_and_pays(client, member):
    request = services.solidarity_request_submit(
        member=member,
        reason="housing",
        explanation="flood",
        amount_requested=Decimal("400"),
        actor=None,
    )
    admin = staff_user("administrator")
    client.force_login(admin)
    assert "flood" in client.get(reverse("activities:staff_solidarity")).content.decode()
    url = reverse("activities:staff_solidarity_action", args=[request.public_id])
    client.post(url, {"decision": "accept", "amount_granted": "350"})
    client.post(url, {"action": "pay"})
    request.refresh_from_db()
    assert request.status == "paid" and request.amount_granted == Decimal("350.00")


def test_user_without_member_record_sees_an_explanation(client):
    client.force_login(UserFactory())
    response = client.get(reverse("activities:member_index"))
    assert response.status_code == 200
    assert client.get(reverse("activities:create")).status_code == 404


PDF = b"%PDF-1.4\n%%EOF\n"


def test_member_records_posting_data_and_document(member_client, activity):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = salary_contract(activity, workplace_country="FR")
    url = reverse("activities:contract", args=[contract.public_id])
    assert "A1" in member_client.get(url).content.decode()
    member_client.post(
        url,
        {
            "form": "posting",
            "a1_status": "requested",
            "a1_reference": "A1-77",
            "host_declaration_status": "in_place",
            "host_declaration_reference": "SIPSI-1",
            "host_representative": "Jean Dupont",
        },
    )
    contract.refresh_from_db()
    # A member cannot declare the documents "in place": staff confirm that.
    assert (contract.a1_status, contract.host_declaration_status) == ("missing", "missing")
    member_client.post(
        url,
        {
            "form": "posting",
            "a1_status": "requested",
            "a1_reference": "A1-77",
            "host_declaration_status": "requested",
            "host_declaration_reference": "SIPSI-1",
            "host_representative": "Jean Dupont",
        },
    )
    contract.refresh_from_db()
    assert (contract.a1_status, contract.host_declaration_status) == ("requested", "requested")
    assert contract.host_representative == "Jean Dupont"
    member_client.post(
        url,
        {
            "form": "document",
            "kind": "a1",
            "file": SimpleUploadedFile("a1.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert contract.posting_documents.count() == 1
    bad = member_client.post(
        url,
        {
            "form": "document",
            "kind": "a1",
            "file": SimpleUploadedFile("a1.pdf", b"GIF89a....", content_type="application/pdf"),
        },
    )
    assert "PDF, PNG or JPEG" in bad.content.decode()
    assert contract.posting_documents.count() == 1


def test_a_members_save_keeps_the_documents_their_adviser_confirmed(member_client, activity):
    """Once the adviser confirmed the A1 "in place", the member's form showed "To provide" (the
    first status a member may choose) and saving it, e.g. to add the representative, put the
    A1 back to "To provide"."""
    contract = salary_contract(activity, workplace_country="FR")
    services.contract_update_posting(
        contract=contract, actor=None, a1_status="in_place", a1_reference="A1-77"
    )
    url = reverse("activities:contract", args=[contract.public_id])
    html = member_client.get(url).content.decode()
    a1 = re.search(r'<select name="a1_status"[^>]*>.*?</select>', html, re.S).group(0)
    assert "disabled" in a1 and re.search(r'value="in_place"[^>]*selected', a1)
    member_client.post(
        url,
        {
            "form": "posting",
            "a1_status": "missing",
            "a1_reference": "A1-77",
            "host_declaration_status": "requested",
            "host_declaration_reference": "SIPSI-1",
            "host_representative": "Jean Dupont",
        },
    )
    contract.refresh_from_db()
    assert (contract.a1_status, contract.host_declaration_status) == ("in_place", "requested")
    assert contract.host_representative == "Jean Dupont"


def test_member_cancels_own_contract_before_start(member_client, activity):
    contract = salary_contract(activity)
    member_client.post(
        reverse("activities:contract", args=[contract.public_id]),
        {"form": "cancel", "reason": "gig cancelled"},
    )
    contract.refresh_from_db()
    assert contract.status == "cancelled"


def test_member_may_cancel_a_declared_contract_before_it_starts(member_client, activity):
    # The service always allowed it; the member page used to hide the form for declared contracts.
    contract = salary_contract(activity)
    services.contract_validate(contract=contract, actor=None)
    services.contract_declare(contract=contract, actor=None)
    url = reverse("activities:contract", args=[contract.public_id])
    assert "Cancel this contract" in member_client.get(url).content.decode()
    member_client.post(url, {"form": "cancel", "reason": "festival called off"})
    contract.refresh_from_db()
    assert contract.status == "cancelled"


def test_staff_are_not_offered_to_cancel_a_contract_that_has_started(adviser_client, activity):
    # The staff page used to offer the button on any draft, validated or declared contract; the
    # service then refused once the start day was reached.
    started = salary_contract(activity, start=dt.date.today())
    services.contract_validate(contract=started, actor=None)
    later = salary_contract(activity)
    started_page = adviser_client.get(
        reverse("activities:staff_contract", args=[started.public_id])
    )
    later_page = adviser_client.get(reverse("activities:staff_contract", args=[later.public_id]))
    assert 'value="cancel"' not in started_page.content.decode()
    assert 'value="cancel"' in later_page.content.decode()


def test_staff_lifts_posting_block_and_records_interruption(adviser_client, activity):
    contract = salary_contract(activity, workplace_country="FR", days=3)
    url = reverse("activities:staff_contract", args=[contract.public_id])
    assert adviser_client.get(url).status_code == 200
    adviser_client.post(url, {"action": "block", "blocks_start": "0"})
    contract.refresh_from_db()
    assert contract.posting_blocks_start is False
    adviser_client.post(
        url,
        {
            "action": "interruption",
            "kind": "cancelled_work",
            "start_date": contract.start_date,
            "end_date": contract.start_date,
            "hours": "8",
            "reason": "venue closed",
        },
    )
    assert contract.interruptions.get().reason == "venue closed"


def test_adviser_of_another_office_cannot_open_the_contract(client, activity):
    contract = salary_contract(activity)
    stranger = staff_user("adviser", entities=[activity.entity])
    client.force_login(stranger)
    url = reverse("activities:staff_contract", args=[contract.public_id])
    assert client.get(url).status_code == 404


def test_coordinator_adds_a_team_member_and_sets_a_reserve(member_client, activity):
    colleague = make_member()
    member_client.post(
        reverse("activities:team", args=[activity.public_id]),
        {"member_number": colleague.member_number, "can_invoice": "on"},
    )
    membership = activity.memberships.get(member=colleague)
    assert membership.can_invoice and not membership.can_spend
    member_client.post(
        reverse("activities:reserve", args=[activity.public_id]), {"reserve_amount": "100"}
    )
    activity.refresh_from_db()
    assert activity.reserve_amount == Decimal("100.00")


def test_team_member_who_is_not_coordinator_cannot_manage_the_team(client, activity):
    colleague = make_member()
    services.activity_member_set(
        activity=activity,
        member=colleague,
        can_invoice=True,
        can_request_salary=True,
        can_spend=False,
        actor=None,
    )
    client.force_login(colleague.user)
    assert client.get(reverse("activities:detail", args=[activity.public_id])).status_code == 200
    assert client.get(reverse("activities:team", args=[activity.public_id])).status_code == 404


def test_coordinator_moves_budget_between_own_activities(member_client, activity, member):
    target = ActivityFactory(coordinator=member, entity=activity.entity, name="Second")
    page = member_client.get(reverse("activities:detail", args=[activity.public_id]))
    assert "Move budget to another Activity" in page.content.decode()
    member_client.post(
        reverse("activities:transfer", args=[activity.public_id]),
        {"to_activity": str(target.public_id), "amount": "100.00", "reason": "shared costs"},
    )
    from activities import selectors

    assert selectors.activity_budget(activity=target).balance == Decimal("100.00")
    stranger = ActivityFactory(entity=activity.entity)
    member_client.post(
        reverse("activities:transfer", args=[activity.public_id]),
        {"to_activity": str(stranger.public_id), "amount": "1.00", "reason": "x"},
    )
    assert selectors.activity_budget(activity=stranger).balance == 0


def test_staff_pages_of_another_entity_are_404(client, activity):
    contract = salary_contract(activity)
    claim = services.expense_claim_create(
        activity=activity, member=activity.coordinator, title="x", actor=None
    )
    loan = services.loan_apply(
        activity=activity,
        member=activity.coordinator,
        purpose="x",
        amount=Decimal("100"),
        months=2,
        actor=None,
    )
    administrator_elsewhere = staff_user("accountant", entities=[LegalEntityFactory()])
    client.force_login(administrator_elsewhere)
    for url in (
        reverse("activities:staff_activity", args=[activity.public_id]),
        reverse("activities:staff_expense", args=[claim.public_id]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("activities:staff_loan_action", args=[loan.public_id]), {"action": "approve"}
    )
    assert response.status_code == 404
    payroll = staff_user("payroll_officer", entities=[LegalEntityFactory()])
    client.force_login(payroll)
    assert (
        client.get(reverse("activities:staff_contract", args=[contract.public_id])).status_code
        == 404
    )


def test_staff_index_and_member_index_query_counts(
    adviser_client, activity, django_assert_max_num_queries
):
    for _ in range(10):
        extra = ActivityFactory(entity=activity.entity, coordinator=activity.coordinator)
        credit(extra, "1000.00")
        salary_contract(extra)
    with django_assert_max_num_queries(25):
        assert adviser_client.get(reverse("activities:staff_index")).status_code == 200


def test_member_index_query_count(member_client, activity, django_assert_max_num_queries):
    for _ in range(10):
        extra = ActivityFactory(coordinator=activity.coordinator)
        credit(extra, "1000.00")
        salary_contract(extra)
    with django_assert_max_num_queries(12):
        assert member_client.get(reverse("activities:member_index")).status_code == 200


def test_guarantee_exposure_alert(adviser_client, activity):
    services.ledger_adjust(
        activity=activity, amount=Decimal("-1500"), reason="wage advanced", actor=None
    )
    body = adviser_client.get(reverse("activities:staff_index")).content.decode()
    assert "Guarantee exposure" in body


def test_accountant_corrects_the_ledger_but_cannot_validate(client, activity):
    accountant = staff_user("accountant", entities=[activity.entity])
    client.force_login(accountant)
    url = reverse("activities:staff_activity_action", args=[activity.public_id])
    page = client.get(reverse("activities:staff_activity", args=[activity.public_id]))
    assert page.status_code == 200 and "Reverse" in page.content.decode()
    entry = activity.ledger_entries.get(kind="client_payment")
    client.post(url, {"action": "reverse", "entry": str(entry.public_id), "reason": "duplicate"})
    assert entry.reversed_by.amount == Decimal("-1000.00")
    client.post(url, {"action": "adjust", "amount": "25.00", "reason": "bank fee refund"})
    assert activity.ledger_entries.filter(kind="adjustment").get().amount == Decimal("25.00")
    assert client.post(url, {"action": "suspend", "reason": "x"}).status_code == 404


def test_adviser_cannot_correct_the_ledger(adviser_client, activity):
    url = reverse("activities:staff_activity_action", args=[activity.public_id])
    response = adviser_client.post(url, {"action": "adjust", "amount": "5", "reason": "x"})
    assert response.status_code == 404
    assert not activity.ledger_entries.filter(kind="adjustment").exists()


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_chart_coordinates_are_not_localised(member_client, activity, language):
    """A decimal comma in an SVG coordinate breaks the chart: numbers stay plain."""
    import re

    member_client.cookies["smartcoop_language"] = language
    body = member_client.get(reverse("activities:detail", args=[activity.public_id])).content
    assert f'lang="{language}"'.encode() in body
    rects = re.findall(rb'<rect class="\w+" x="([^"]+)" y="([^"]+)" width="([^"]+)"', body)
    assert rects
    for values in rects:
        for value in values:
            float(value)  # "12,5" would fail


def test_the_contract_page_writes_its_coefficient_the_readers_way(member_client, activity):
    contract = salary_contract(activity)
    EmploymentContract.objects.with_scopes_disabled().filter(pk=contract.pk).update(
        coefficient=Decimal("1.5500")
    )
    url = reverse("activities:contract", args=[contract.public_id])
    member_client.cookies["smartcoop_language"] = "fr"
    assert "\u00d7 1,55)" in member_client.get(url).content.decode()
    member_client.cookies["smartcoop_language"] = "en"
    assert "\u00d7 1.55)" in member_client.get(url).content.decode()


def test_ledger_lines_write_their_amounts_and_dates_the_readers_way(member_client, member):
    """The fee and salary lines under each entry read '6.5 % times €1,150.00', not the stored
    '6.5 % x 1150.00'; in Dutch the same facts are written the Dutch way."""
    activity = ActivityFactory(coordinator=member)
    credit(activity, "1150.00")
    start = dt.date(2030, 3, 4)
    contract = salary_contract(activity, gross="603.22", start=start, days=2)
    services.contract_validate(contract=contract, actor=None)
    services.contract_declare(contract=contract, actor=None)
    services.contract_mark_paid(contract=contract, paid_on=TODAY, actor=None)
    loan = services.loan_apply(
        activity=activity,
        member=member,
        purpose="Camera",
        amount=Decimal("1200"),
        months=12,
        actor=member.user,
    )
    services.loan_decide(loan=loan, approve=True, reason="", actor=None)
    services.loan_disburse(loan=loan, actor=None)
    url = reverse("activities:detail", args=[activity.public_id])

    body = member_client.get(url).content.decode()
    assert "6.5\u00a0% \u00d7 €1,150.00" in body
    assert "04/03/2030\u201305/03/2030: €603.22 \u00d7 1.55" in body
    assert "Repaid in 12 monthly instalments" in body
    for raw in ("1150.00", "603.22 x", "2030-03-04", "1200.00 / 12"):
        assert raw not in body, raw

    member_client.cookies["smartcoop_language"] = "nl"
    body = member_client.get(url).content.decode()
    assert "6,5\u00a0% \u00d7 €\u00a01.150,00" in body
    assert "4-3-2030\u20135-3-2030: €\u00a0603,22 \u00d7 1,55" in body
    assert "In 12 maandelijkse aflossingen terugbetaald" in body
