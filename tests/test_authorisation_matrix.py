"""The authorisation matrix: every URL of the URL conf that names an object, for every role,
with an object that role may not reach, answers 403/404 (or 405 for the wrong method) and
writes nothing.

"Not reachable" is per role: for a member, another member's objects; for an adviser, another
entity's rows and the members of another office; for the other staff roles, another entity's
rows (members and what they own are shared by every entity, and those roles see all members).
A new URL with an object must be added to `URL_OBJECTS` (or to `NOT_IN_MATRIX`, with the reason),
or `test_every_url_with_an_object_is_in_the_matrix` fails."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from activities import services as activities
from declarations.models import Declaration, FilingJob
from governance import services as governance
from invoicing import services as invoicing
from invoicing.models import BankTransaction
from keyfigures.models import KeyFiguresExport
from members import services as members
from members.models import InfoSession
from payroll.models import PayRun, PayRunItem, Payslip
from smartcoop.core.models import NumberSequence
from smartcoop.core.roles import Role
from tests.activities.factories import ActivityFactory, credit, make_member, salary_contract
from tests.activities.test_expenses_loans_solidarity import PDF, claim_with_line
from tests.factories import LegalEntityFactory, OfficeFactory, UserFactory, staff_user
from tests.invoicing.conftest import LINES
from tests.invoicing.test_bank_and_reminders import camt
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db

# URL name -> (the key of its object in the world, whose object it is: "entity" = a row of
# another entity, "member" = something another member (of another office) owns).
URL_OBJECTS: dict[str, tuple[str, str]] = {
    "core:number_series_detail": ("series", "entity"),
    "members:booking_cancel": ("booking", "member"),
    "members:subscription": ("subscription", "member"),
    "members:subscription_cancel": ("subscription", "member"),
    "members:certificate": ("subscription", "member"),
    "members:appointment_cancel": ("slot", "member"),
    "members:staff_member": ("member", "member"),
    "members:staff_assign": ("member", "member"),
    "members:staff_leave": ("member", "member"),
    "members:staff_transfer": ("member", "member"),
    "members:staff_payment_confirm": ("subscription", "member"),
    "members:staff_certificate": ("subscription", "member"),
    "members:staff_attendance": ("booking", "member"),
    "members:staff_appointment": ("slot", "member"),
    "members:staff_erasure_process": ("erasure", "member"),
    "activities:detail": ("activity", "entity"),
    "activities:reserve": ("activity", "entity"),
    "activities:team": ("activity", "entity"),
    "activities:transfer": ("activity", "entity"),
    "activities:salary_request": ("activity", "entity"),
    "activities:expense_create": ("activity", "entity"),
    "activities:loan_apply": ("activity", "entity"),
    "activities:contract": ("contract", "entity"),
    "activities:expense": ("claim", "entity"),
    "activities:expense_receipt": ("expense_line", "entity"),
    "activities:posting_document": ("posting_document", "entity"),
    "activities:staff_activity": ("activity", "entity"),
    "activities:staff_activity_action": ("activity", "entity"),
    "activities:staff_contract": ("contract", "entity"),
    "activities:staff_expense": ("claim", "entity"),
    "activities:staff_loan_action": ("loan", "entity"),
    "activities:staff_solidarity_action": ("solidarity", "member"),
    "invoicing:member_quote": ("quote", "entity"),
    "invoicing:member_invoice": ("invoice", "entity"),
    "invoicing:member_invoice_edit": ("invoice", "entity"),
    "invoicing:member_invoice_submit": ("invoice", "entity"),
    "invoicing:member_invoice_pdf": ("invoice", "entity"),
    "invoicing:member_invoice_ubl": ("invoice", "entity"),
    "invoicing:staff_client_statement": ("client", "entity"),
    "invoicing:staff_bank_match": ("bank_transaction", "entity"),
    "invoicing:staff_invoice": ("invoice", "entity"),
    "invoicing:staff_invoice_approve": ("invoice", "entity"),
    "invoicing:staff_invoice_vat": ("invoice", "entity"),
    "invoicing:staff_invoice_collection": ("invoice", "entity"),
    "invoicing:staff_invoice_pdf": ("invoice", "entity"),
    "invoicing:staff_reminder_letter": ("invoice", "entity"),
    "invoicing:staff_reminder_posted": ("invoice", "entity"),
    "declarations:detail": ("declaration", "entity"),
    "declarations:payload": ("declaration", "entity"),
    "declarations:filing": ("filing_job", "entity"),
    "declarations:filing_progress": ("filing_job", "entity"),
    "payroll:member_payslip_pdf": ("payslip", "entity"),
    "payroll:staff_payslip": ("payslip", "entity"),
    "payroll:staff_payslip_pdf": ("payslip", "entity"),
    "payroll:staff_payslip_correct": ("payslip", "entity"),
    "payroll:staff_payslip_approve": ("payslip", "entity"),
    "payroll:run": ("payrun", "entity"),
    "payroll:run_progress": ("payrun", "entity"),
    "payroll:run_approve": ("payrun", "entity"),
    "payroll:run_retry": ("payrun", "entity"),
    "payroll:run_match_debit": ("payrun", "entity"),
    "payroll:run_sepa": ("payrun", "entity"),
    "payroll:run_recompute": ("payrun+member", "entity"),
    "payroll:run_worker_bank": ("payrun+member", "entity"),
    # A key-figures PDF is its requester's only (an accountant of the other entity here).
    "keyfigures:pdf_status": ("kf_export", "entity"),
    "keyfigures:pdf_download": ("kf_export", "entity"),
    "api_members_detail": ("member", "member"),
    "api_activities_contract": ("contract", "entity"),
    "api_activities_contract_cancel": ("contract", "entity"),
    "api_activities_contract_executive_status": ("contract", "entity"),
    "api_activities_contract_joint_committee": ("contract", "entity"),
    "api_activities_detail": ("activity", "entity"),
    "api_activities_ledger": ("activity", "entity"),
    "api_activities_months": ("activity", "entity"),
    "api_activities_salary_request": ("activity", "entity"),
    "api_invoicing_invoice": ("invoice", "entity"),
    "api_invoicing_invoice_issue": ("invoice", "entity"),
    # Governance: a member not on the assembly's voters' list reaches none of its pages; staff
    # without the governance permission reach none of its staff pages. "a+b": two objects.
    "governance:assembly": ("assembly", "member"),
    "governance:proxy_sign": ("assembly", "member"),
    "governance:proxy_revoke": ("assembly", "member"),
    "governance:minutes": ("assembly", "member"),
    "governance:vote": ("assembly+resolution+voter", "member"),
    "governance:candidacy_apply": ("assembly+election", "member"),
    "governance:candidacy_withdraw": ("assembly+election", "member"),
    "governance:document": ("assembly+document", "member"),
    "governance:staff_assembly": ("assembly", "entity"),
    "governance:staff_convene": ("assembly", "entity"),
    "governance:staff_close": ("assembly", "entity"),
    "governance:staff_minutes": ("assembly", "entity"),
    "governance:staff_voters": ("assembly+csv", "entity"),
    "governance:staff_attendance": ("assembly+voter", "entity"),
    "governance:staff_room_vote": ("assembly+voter", "entity"),
    "governance:staff_election_add": ("assembly", "entity"),
    "governance:staff_candidacy": ("assembly+candidacy", "entity"),
    "governance:staff_document_attach": ("assembly", "entity"),
    "governance:staff_document": ("assembly+document", "entity"),
    "governance:staff_group": ("group", "entity"),
    "governance:staff_answer": ("recommendation", "entity"),
    "api_governance_assembly": ("assembly", "member"),
    "api_governance_results": ("assembly", "member"),
    "api_governance_vote": ("assembly+resolution", "member"),
}
NOT_IN_MATRIX = {
    "members:onboarding": "a step name, no object: the member's own onboarding",
    "members:session_book": "information sessions are open to every member",
    "members:appointment_book": "open slots of the member's own office (test_access.py)",
    "members:staff_session": "sessions are shared: whoever manages sessions sees them all",
    "invoicing:quote_public": "a signed token, no id (tampered tokens: invoicing/test_quotes.py)",
    "invoicing:pay": "a signed token, no id (tampered tokens: invoicing/test_views.py)",
    "invoicing:pay_pdf": "a signed token, no id (tampered tokens: invoicing/test_views.py)",
    "invoicing:pay_ubl": "a signed token, no id (tampered tokens: invoicing/test_views.py)",
    "invoicing:pay_online": "a signed token, no id (tampered tokens: invoicing/test_views.py)",
    "account_confirm_email": "allauth's signed e-mail confirmation key",
    "governance:group": "working groups are read by every member (test_participation.py)",
    "governance:group_join": "open groups are open to every member; invited: 409",
    "governance:recommendation": "recommendations and answers are for every member to see",
    "governance:recommendation_support": "every member may support a recommendation",
    "governance:ballots": "a closed assembly's ballots are public by design: anyone recounts",
    "governance:ballots_csv": "a closed assembly's ballots are public by design: anyone recounts",
    "account_reset_password_from_key": "allauth's signed password-reset key",
}
# Not in the matrix yet, each with where its access is tested:
NOT_YET_IN_MATRIX = {
    "keyfigures:export": "a file format, no object (staff-only page: tests/keyfigures)",
    "payroll:staff_correction_sepa": (
        "needs a settled correction of another entity: "
        "tests/payroll/test_correction_settlement.py (another entity: 404)"
    ),
}
STAFF_ROLES = [Role.ACCOUNTANT, Role.CUSTOMER_SERVICE, Role.PAYROLL_OFFICER]


def _url_patterns(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            if inner == "admin":
                continue  # Django's admin: administrators with 2FA only (core/test_pages.py)
            yield from _url_patterns(pattern, (inner or namespace or "").strip(":"))
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = str(pattern.pattern)
            if "<" in route:  # a path converter or a regex group: the URL names something
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_with_an_object_is_in_the_matrix():
    names = set(_url_patterns())
    missing = names - set(URL_OBJECTS) - set(NOT_IN_MATRIX) - set(NOT_YET_IN_MATRIX)
    assert not missing, f"add these URLs to the authorisation matrix: {sorted(missing)}"
    assert not set(URL_OBJECTS) - names, "the matrix names URLs that no longer exist"


@pytest.fixture
def world(settings, tmp_path):
    """Entity "theirs" with an Activity of member B (office B) and everything hanging off it;
    the actors work in entity "mine" and office A."""
    settings.MEDIA_ROOT = tmp_path
    coop = LegalEntityFactory(
        slug="coop", is_cooperative=True, is_employer=False, iban="BE71096123456769"
    )
    mine = LegalEntityFactory(name="Mine")
    theirs = LegalEntityFactory(name="Theirs", email="invoices@theirs.example")
    office_a, office_b = OfficeFactory(), OfficeFactory()
    adviser_b = staff_user(Role.ADVISER, office=office_b, entities=[theirs])
    accountant_b = staff_user(Role.ACCOUNTANT, entities=[theirs])
    user_b = UserFactory()
    member_b = MemberFactory(user=user_b, email=user_b.email, office=office_b, adviser=adviser_b)
    subscription = members.share_subscribe(member=member_b, actor=None, shares=1)
    members.share_payment_confirm(
        subscription=subscription, actor=accountant_b, paid_on=date(2026, 11, 1)
    )
    members.share_certificate_generate(subscription_id=subscription.pk)
    member_b.refresh_from_db()
    activity = ActivityFactory(entity=theirs, coordinator=member_b)
    credit(activity, "20000.00")
    contract = salary_contract(activity, workplace_country="FR", workplace_address="Lille")
    posting_document = activities.contract_posting_document_add(
        contract=contract,
        kind="a1",
        file=SimpleUploadedFile("a1.pdf", PDF, content_type="application/pdf"),
        actor=None,
    )
    declaration = Declaration.objects.create(
        entity=theirs, kind="dimona_in", contract=contract, payload="<Dimona/>", status="ready",
        payload_sha256="0" * 64,
    )  # fmt: skip
    filing_job = FilingJob.objects.create(entity=theirs, kind="dmfa", period="20263")
    payslip = Payslip.objects.create(
        entity=theirs, member=member_b, pay_date=date(2026, 10, 28), period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 28), category="employee", gross=Decimal("1000.00"),
        employee_deductions=Decimal("130.70"), net_taxable=Decimal("869.30"),
        net_social=Decimal("869.30"), net_pay=Decimal("869.30"),
        employer_contributions=Decimal("250.00"), employer_cost=Decimal("1250.00"),
    )  # fmt: skip
    # A pay run under review (approve, recompute would act) with its SEPA file (would download).
    payrun = PayRun.objects.create(
        entity=theirs, pay_date=date(2026, 11, 28), state="review", sepa_xml="<Document/>"
    )
    PayRunItem.objects.create(run=payrun, member=member_b, state="computed")
    kf_export = KeyFiguresExport.objects.create(
        requested_by=accountant_b, entity=theirs, year=2025, status="done",
        file=SimpleUploadedFile("k.pdf", PDF),
    )  # fmt: skip
    claim = claim_with_line(activity)
    loan = activities.loan_apply(
        activity=activity,
        member=member_b,
        purpose="Van",
        amount=Decimal("600"),
        months=6,
        actor=None,
    )
    solidarity = activities.solidarity_request_submit(
        member=member_b,
        reason="illness",
        explanation="x",
        amount_requested=Decimal("300"),
        actor=None,
    )
    client = invoicing.client_create(
        entity=theirs,
        actor=member_b.user,
        activity=activity,
        kind="company",
        name="Theater Antwerpen nv",
        street="Kunstlaan 1",
        postcode="2000",
        city="Antwerpen",
        country="BE",
        vat_number="BE0403170701",
        language="en",
    )
    draft = invoicing.invoice_draft_save(
        actor=member_b.user, activity=activity, client=client, lines=LINES
    )
    invoice = invoicing.invoice_issue(
        invoice=draft, issued_by=member_b.user, on=timezone.localdate() - timedelta(days=60)
    )
    quote = invoicing.quote_create(
        actor=member_b.user, activity=activity, client=client, title="Tour", lines=LINES
    )
    invoicing.bank_statement_import(
        entity=theirs,
        actor=accountant_b,
        file_name="s.xml",
        content=camt([("UNMATCHED-1", "99.00", "CRDT", "who knows")], "S-THEIRS"),
    )
    session = InfoSession.objects.create(
        starts_at=timezone.now() + timedelta(days=5),
        language="en",
        mode="online",
        online_url="https://x.example",
        capacity=10,
    )
    booking = members.info_session_book(session=session, member=member_b, actor=None)
    slot = members.appointment_slot_create(
        adviser=adviser_b, actor=adviser_b, starts_at=timezone.now() + timedelta(days=2)
    )
    members.appointment_book(appointment=slot, member=member_b, actor=None, topic="Hello")
    erasure = members.member_erasure_request(member=member_b, actor=None)
    governance = _governance_world(coop, member_b)
    return {
        "mine": mine,
        "office_a": office_a,
        "series": NumberSequence.objects.get(entity=theirs),
        "member": member_b,
        "activity": activity,
        "contract": contract,
        "declaration": declaration,
        "filing_job": filing_job,
        "payslip": payslip,
        "payrun": payrun,
        "kf_export": kf_export,
        "accountant_b": accountant_b,
        "posting_document": posting_document,
        "claim": claim,
        "expense_line": claim.lines.get(),
        "loan": loan,
        "solidarity": solidarity,
        "client": client,
        "invoice": invoice,
        "quote": quote,
        "bank_transaction": BankTransaction.objects.get(bank_reference="UNMATCHED-1"),
        "subscription": subscription,
        "booking": booking,
        "slot": slot,
        "erasure": erasure,
        **governance,
    }


def _governance_world(coop, member_b) -> dict:
    """An assembly convened with member B on its list (their shares are in the cooperative's
    register), a resolution with a document, a board election with B's candidacy, a working
    group with a recommendation."""
    today, now = timezone.localdate(), timezone.now()
    governance.statutes_create(actor=None, entity=coop, valid_from=date(2020, 1, 1))
    assembly = governance.assembly_create(
        actor=None, entity=coop, kind="ordinary", title="AG", starts_at=now + timedelta(days=30),
        record_date=today, vote_opens_at=now + timedelta(days=10),
        vote_closes_at=now + timedelta(days=31),
    )  # fmt: skip
    resolution = governance.resolution_add(actor=None, assembly=assembly, title="Accounts")
    election = governance.election_add(
        actor=None, assembly=assembly, title="Board", seats={"A": 1, "B": 1, "C": 1}
    )
    governance.assembly_convene(actor=None, assembly=assembly, today=today)
    voter = assembly.voters.get(member=member_b)
    candidacy = governance.candidacy_apply(
        actor=None, election=election.election, voter=voter, statement="Me"
    )
    document = governance.document_attach(
        actor=None,
        resolution=resolution,
        title="Accounts",
        file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )
    group = governance.group_create(actor=None, entity=coop, title="Energy", access="open")
    governance.group_join(actor=None, group=group, member=member_b)
    recommendation = governance.recommendation_publish(
        actor=None, group=group, member=member_b, title="Solar", text="Panels"
    )
    return {
        "assembly": assembly,
        "resolution": resolution,
        "election": election,
        "voter": voter,
        "candidacy": candidacy,
        "document": document,
        "group": group,
        "recommendation": recommendation,
    }


def _rows_written() -> int:
    """Rows inserted, updated or deleted so far in this test's transaction (sessions aside)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables WHERE relname <> 'django_session'"
        )
        return int(cursor.fetchone()[0])


def _check(actor, world, kinds: set[str]) -> list[str]:
    """Every URL of the matrix whose object is of `kinds`, GET and POST, as `actor`."""
    browser = Client()
    browser.force_login(actor)
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=actor).key}")
    problems = []
    for name, (key, kind) in sorted(URL_OBJECTS.items()):
        if kind not in kinds:
            continue
        args = [world[k].public_id if k in world else k for k in key.split("+")]
        args += [1] if "reminder" in name else []
        url = reverse(name, args=args)
        client = api if name.startswith("api_") else browser
        statuses = []
        for method in ("get", "post"):
            before = _rows_written()
            status = getattr(client, method)(url).status_code
            if _rows_written() != before:
                problems.append(f"{method.upper()} {name}: wrote rows")
            statuses.append(status)
        if any(s not in (403, 404, 405) for s in statuses) or statuses == [405, 405]:
            problems.append(f"{name}: answered GET {statuses[0]}, POST {statuses[1]}")
    return problems


def test_a_member_reaches_no_other_members_object(world):
    member_a = make_member(office=world["office_a"])
    assert _check(member_a.user, world, {"entity", "member"}) == []


def test_an_adviser_reaches_nothing_of_another_entity_or_another_office(world):
    adviser = staff_user(Role.ADVISER, office=world["office_a"], entities=[world["mine"]])
    assert _check(adviser, world, {"entity", "member"}) == []


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_reach_no_row_of_another_entity(world, role):
    assert _check(staff_user(role, entities=[world["mine"]]), world, {"entity"}) == []


def test_the_owner_does_reach_them(world):
    """The matrix is not vacuous: the same URLs answer the member who owns the objects, and a
    request that writes is seen writing."""
    browser = Client()
    browser.force_login(world["member"].user)
    for name in ("activities:detail", "activities:contract", "invoicing:member_invoice"):
        key, _kind = URL_OBJECTS[name]
        assert browser.get(reverse(name, args=[world[key].public_id])).status_code == 200
    # …and the other entity's own staff reach its pay run and the requester their PDF.
    officer_b = staff_user(Role.PAYROLL_OFFICER, entities=[world["payrun"].entity])
    browser.force_login(officer_b)
    assert browser.get(reverse("payroll:run", args=[world["payrun"].public_id])).status_code == 200
    browser.force_login(world["accountant_b"])
    url = reverse("keyfigures:pdf_download", args=[world["kf_export"].public_id])
    assert browser.get(url).status_code == 200
    browser.force_login(world["member"].user)
    before = _rows_written()
    url = reverse("members:booking_cancel", args=[world["booking"].public_id])
    assert browser.post(url).status_code == 302
    assert _rows_written() > before
