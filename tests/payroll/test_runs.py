"""Pay runs: collected per entity and pay date, computed per worker with the anomalies staff
must see, approved by a payroll officer (blocked workers held back for the next run), the SEPA
file of the nets, the Activity charged the budgeted cost once; every step can run again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scope
from lxml import etree

from activities.models import EmploymentContract, LedgerEntry
from payroll.models import PayRun, PayRunItem, Payslip
from payroll.runs import services
from tests.payroll.runs_setup import due_contract, funded_activity, next_month_start, worker

pytestmark = [pytest.mark.django_db]
XSD = Path(__file__).parent / "schemas" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


@pytest.fixture
def team():
    activity = funded_activity()
    ok1, ok2 = worker(activity), worker(activity)
    no_iban = worker(activity, iban="")
    undeclared = worker(activity)
    contracts = [
        due_contract(activity, ok1, day=2),
        due_contract(activity, ok1, day=5, gross="250.00"),
        due_contract(activity, ok2, day=3, gross="900.00"),
        due_contract(activity, no_iban, day=4),
        due_contract(activity, undeclared, day=6, declare=False),
    ]
    pay_date = max(c.wage_due_on for c in contracts)
    return activity, (ok1, ok2, no_iban, undeclared), contracts, pay_date


def run_to_review(activity, pay_date):
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        for chunk in services.payrun_compute_chunks(run=run):
            for item_id in chunk:
                services.payrun_item_compute(item_id=item_id)
        return services.payrun_compute_finish(run_id=run.pk)


def codes(item):
    return sorted(a["code"] for a in item.anomalies)


def test_a_run_collects_one_item_per_worker_and_creating_it_again_changes_nothing(team):
    activity, (ok1, *_), contracts, pay_date = team
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        again = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        assert again.pk == run.pk and run.state == PayRun.State.COMPUTING
        assert run.items_total == 4 and PayRunItem.objects.filter(run=run).count() == 4
        item = run.items.get(member=ok1)
        assert item.contract_ids == sorted([contracts[0].pk, contracts[1].pk])
        # a pay date before the wages fall due collects nothing
        early = services.payrun_create(
            entity=activity.entity, pay_date=min(c.wage_due_on for c in contracts) - dt.timedelta(1)
        )
        assert early.items_total == 0


def test_compute_records_the_anomalies_and_review_totals_by_contract_type(team):
    activity, (ok1, _ok2, no_iban, undeclared), contracts, pay_date = team
    run = run_to_review(activity, pay_date)
    assert run.state == PayRun.State.REVIEW and run.items_done == 4
    with scope(entity=activity.entity_id):
        items = {i.member_id: i for i in run.items.select_related("payslip")}
        assert codes(items[ok1.pk]) == ["tax_profile_incomplete"]  # a warning, not blocking
        assert not items[ok1.pk].blocking
        # each worker's contract is their last with the entity: the gross adds the exit holiday
        # pay (15.34 %) to the contract's wage
        assert items[ok1.pk].payslip.gross == Decimal("650.00") + Decimal("99.72")
        assert codes(items[no_iban.pk]) == ["missing_iban", "tax_profile_incomplete"]
        assert items[no_iban.pk].blocking
        assert "not_declared" in codes(items[undeclared.pk])
        employee = run.totals["employee"]
        assert employee["workers"] == "4"
        payslips = Payslip.objects.filter(entity=activity.entity, pay_date=pay_date)
        assert Decimal(employee["gross"]) == sum(p.gross for p in payslips)
        assert sum(p.gross for p in payslips) > Decimal("2350.00")  # wages + exit holiday pay
        assert Decimal(employee["net_pay"]) == sum(p.net_pay for p in payslips)
        assert Decimal(employee["budgeted"]) == sum(c.employer_cost for c in contracts)
        # computing an item again (a redelivered task) changes nothing
        before = list(payslips.values_list("pk", "net_pay", "updated_at"))
        for item in items.values():
            assert services.payrun_item_compute(item_id=item.pk) is None
        assert list(payslips.values_list("pk", "net_pay", "updated_at")) == before


def test_fixing_an_anomaly_and_computing_that_worker_again_clears_it(team):
    activity, (_, _, no_iban, _), _, pay_date = team
    run = run_to_review(activity, pay_date)
    no_iban.iban = "BE71096123456769"
    no_iban.save()
    with scope(entity=activity.entity_id):
        item = services.payrun_item_recompute(item=run.items.get(member=no_iban), actor=None)
        assert codes(item) == ["tax_profile_incomplete"] and not item.blocking
        run.refresh_from_db()
        assert run.items_done == 4
        assert Payslip.objects.filter(entity=activity.entity, member=no_iban).count() == 1


def test_approval_pays_the_clean_workers_holds_the_others_and_every_step_runs_once(team):
    from tests.factories import staff_user

    activity, (ok1, ok2, no_iban, undeclared), contracts, pay_date = team
    officer = staff_user("payroll_officer", entities=[activity.entity])
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        run = services.payrun_approve(run=run, actor=officer)
        states = dict(run.items.values_list("member_id", "state"))
        assert states == {
            ok1.pk: "approved", ok2.pk: "approved", no_iban.pk: "held", undeclared.pk: "held"
        }  # fmt: skip
        assert set(
            Payslip.objects.filter(entity=activity.entity).values_list("member_id", "status")
        ) == {(ok1.pk, "approved"), (ok2.pk, "approved")}
        for _twice in range(2):
            services.payrun_render(run_id=run.pk)
            services.payrun_pay(run_id=run.pk)
            services.payrun_post(run_id=run.pk)
        run.refresh_from_db()
        assert run.state == PayRun.State.POSTED
        # the Activity is charged each paid contract's budgeted cost, once
        paid = [contracts[0], contracts[1], contracts[2]]
        entries = LedgerEntry.objects.filter(activity=activity, kind="salary_cost")
        assert entries.count() == 3
        assert sum(e.amount for e in entries) == -sum(c.employer_cost for c in paid)
        assert set(
            EmploymentContract.objects.filter(pk__in=[c.pk for c in paid]).values_list(
                "status", flat=True
            )
        ) == {"paid"}
        # the held worker's contract goes to the next run once fixed
        next_run = services.payrun_create(
            entity=activity.entity, pay_date=pay_date + dt.timedelta(days=1)
        )
        assert set(next_run.items.values_list("member_id", flat=True)) == {
            no_iban.pk, undeclared.pk
        }  # fmt: skip
    # the SEPA file: valid, one transfer per paid worker, the pay date, the same bytes again
    xml = run.sepa_xml.encode()
    document = etree.fromstring(xml)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(document)
    assert document.findtext(".//p:ReqdExctnDt/p:Dt", namespaces=NS) == pay_date.isoformat()
    amounts = [Decimal(a) for a in document.xpath(".//p:InstdAmt/text()", namespaces=NS)]
    with scope(entity=activity.entity_id):
        approved = Payslip.objects.filter(entity=activity.entity, status="approved")
        assert sorted(amounts) == sorted(p.net_pay for p in approved)
        ids = document.xpath(".//p:EndToEndId/text()", namespaces=NS)
        assert sorted(ids) == sorted(p.reference for p in approved)  # the payslip numbers
        from payroll.sepa import payrun_sepa_xml

        assert payrun_sepa_xml(run=run) == xml


def test_approval_needs_a_run_under_review(team):
    from smartcoop.core.errors import Conflict

    activity, _, _, pay_date = team
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        with pytest.raises(Conflict):
            services.payrun_approve(run=run, actor=None)


def test_beat_opens_the_runs_due_within_the_lead_days_once(team):
    activity, _, contracts, pay_date = team
    today = pay_date - dt.timedelta(days=services.LEAD_DAYS)
    with scope(entity=activity.entity_id):
        assert services.payruns_open_due(entity=activity.entity, today=today) >= 1
        assert services.payruns_open_due(entity=activity.entity, today=today) == 0
        # each contract in the run of its own due date (7 working days after the performance)
        items = PayRunItem.objects.filter(run__entity=activity.entity)
        collected = sorted(pk for item in items for pk in item.contract_ids)
        assert collected == sorted(c.pk for c in contracts)
        assert PayRun.objects.filter(entity=activity.entity).count() == len(
            {c.wage_due_on for c in contracts}
        )


def test_the_payroll_officer_reviews_fixes_approves_and_downloads_on_the_run_page(client, team):
    from django.urls import reverse

    from tests.factories import LegalEntityFactory, staff_user

    activity, (_ok1, _ok2, no_iban, _undeclared), _contracts, pay_date = team
    run = run_to_review(activity, pay_date)
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    listing = client.get(reverse("payroll:runs"))
    assert listing.status_code == 200 and list(listing.context["runs"]) == [run]
    page = client.get(reverse("payroll:run", args=[run.public_id]))
    html = page.content.decode()
    assert "No IBAN: the net cannot be paid." in html
    assert reverse("members:staff_member", args=[no_iban.public_id]) in html
    assert 'hx-trigger="every 2s"' not in html  # under review: nothing left to follow
    # the IBAN is entered, the worker computed again: the blocking anomaly is gone
    no_iban.iban = "BE68539007547034"
    no_iban.save()
    client.post(reverse("payroll:run_recompute", args=[run.public_id, no_iban.public_id]))
    with scope(entity=activity.entity_id):
        assert not run.items.get(member=no_iban).blocking
    assert client.post(reverse("payroll:run_approve", args=[run.public_id])).status_code == 302
    with scope(entity=activity.entity_id):
        run.refresh_from_db()
        assert run.state == PayRun.State.APPROVED and run.approved_by is not None
        services.payrun_render(run_id=run.pk)
        services.payrun_pay(run_id=run.pk)
    sepa = client.get(reverse("payroll:run_sepa", args=[run.public_id]))
    assert sepa["Content-Type"] == "application/xml"
    assert sepa.content.count(b"<CdtTrfTxInf>") == 3  # ok1, ok2 and the fixed worker
    # another entity's officer and a customer-service agent get 404
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    assert client.get(reverse("payroll:run", args=[run.public_id])).status_code == 404
    client.force_login(staff_user("customer_service", entities=[activity.entity]))
    assert client.get(reverse("payroll:runs")).status_code == 404


def test_the_salary_batch_debit_on_the_bank_statement_marks_the_payslips_paid(team):
    from invoicing.services import bank_statement_import
    from payroll.sepa import payrun_message_id
    from tests.invoicing.test_bank_and_reminders import camt

    activity, (ok1, ok2, _no_iban, _undeclared), _contracts, pay_date = team
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        run = services.payrun_approve(run=run, actor=None)
        services.payrun_render(run_id=run.pk)
        services.payrun_pay(run_id=run.pk)
        services.payrun_post(run_id=run.pk)
        run.refresh_from_db()
        total = sum(p.net_pay for p in Payslip.objects.filter(entity=activity.entity))
        message_id = payrun_message_id(run)
        # a debit of another amount, and the bank fees, close nothing
        bank_statement_import(
            entity=activity.entity, actor=None, file_name="a.xml",
            content=camt([("D-1", f"{total - 1}", "DBIT", f"Batch {message_id}"),
                          ("D-2", "3.00", "DBIT", "fees")], statement_id="S-1"),
        )  # fmt: skip
        run.refresh_from_db()
        assert run.state == PayRun.State.POSTED
        bank_statement_import(
            entity=activity.entity, actor=None, file_name="b.xml",
            content=camt([("D-3", f"{total}", "DBIT", f"Batch {message_id}")], statement_id="S-2"),
        )  # fmt: skip
        run.refresh_from_db()
        assert run.state == PayRun.State.CLOSED
        paid = dict(run.items.exclude(paid_on=None).values_list("member_id", "paid_on"))
        assert set(paid) == {ok1.pk, ok2.pk}
        assert set(paid.values()) == {dt.date(2026, 3, 20)}


def test_the_officer_enters_a_missing_iban_from_the_run_and_a_bad_one_is_refused(client, team):
    from django.urls import reverse

    from smartcoop.core.models import AuditLogEntry
    from tests.factories import LegalEntityFactory, staff_user

    activity, (_ok1, _ok2, no_iban, _undeclared), _contracts, pay_date = team
    run = run_to_review(activity, pay_date)
    officer = staff_user("payroll_officer", entities=[activity.entity])
    client.force_login(officer)
    page = client.get(reverse("payroll:run", args=[run.public_id])).content.decode()
    url = reverse("payroll:run_worker_bank", args=[run.public_id, no_iban.public_id])
    assert url in page  # the anomaly links to the form
    refused = client.post(url, {"iban": "BE68 5390 0754 7035"})
    assert refused.status_code == 200 and refused.context["form"].errors["iban"]
    no_iban.refresh_from_db()
    assert no_iban.iban == ""
    saved = client.post(url, {"iban": "BE68 5390 0754 7034"})
    assert saved.status_code == 302
    no_iban.refresh_from_db()
    assert no_iban.iban == "BE68539007547034"
    entry = AuditLogEntry.objects.filter(action="members.member.bank_saved").latest("pk")
    assert entry.actor == officer and "7547034" not in str(entry.data)  # the IBAN is masked
    # a worker of no run of this entity, and another entity's officer: 404
    stranger = worker(activity)
    assert (
        client.get(
            reverse("payroll:run_worker_bank", args=[run.public_id, stranger.public_id])
        ).status_code
        == 404
    )
    client.force_login(staff_user("payroll_officer", entities=[LegalEntityFactory()]))
    assert client.get(url).status_code == 404


def test_the_officer_names_the_debit_when_the_bank_left_the_message_id_out(client, team):
    from django.urls import reverse

    from invoicing.services import bank_statement_import
    from tests.factories import staff_user
    from tests.invoicing.test_bank_and_reminders import camt

    activity, (ok1, ok2, _no_iban, _undeclared), _contracts, pay_date = team
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        run = services.payrun_approve(run=run, actor=None)
        for step in (services.payrun_render, services.payrun_pay, services.payrun_post):
            step(run_id=run.pk)
        total = sum(p.net_pay for p in Payslip.objects.filter(entity=activity.entity))
        bank_statement_import(
            entity=activity.entity, actor=None, file_name="a.xml",
            content=camt([("D-9", f"{total - 1}", "DBIT", "SALARIES MARCH"),
                          ("D-7", f"{total}", "DBIT", "SALARIES MARCH")], statement_id="S-7"),
        )  # fmt: skip
        run.refresh_from_db()
        assert run.state == PayRun.State.POSTED  # the text names no run
    officer = staff_user("payroll_officer", entities=[activity.entity])
    client.force_login(officer)
    url = reverse("payroll:run_match_debit", args=[run.public_id])
    assert (
        "Mark the run paid"
        in client.get(reverse("payroll:run", args=[run.public_id])).content.decode()
    )
    for reference, error in (("D-404", "No imported debit"), ("D-9", "the payment file's total")):
        refused = client.post(url, {"bank_reference": reference})
        assert error in refused.context["debit_form"].errors["bank_reference"][0]
    with scope(entity=activity.entity_id):
        run.refresh_from_db()
        assert run.state == PayRun.State.POSTED and not run.items.exclude(paid_on=None).exists()
    assert client.post(url, {"bank_reference": " D-7 "}).status_code == 302
    with scope(entity=activity.entity_id):
        run.refresh_from_db()
        assert run.state == PayRun.State.CLOSED and run.paid_by_debit == "D-7"
        paid = dict(run.items.exclude(paid_on=None).values_list("member_id", "paid_on"))
        assert set(paid) == {ok1.pk, ok2.pk} and set(paid.values()) == {dt.date(2026, 3, 20)}
        from smartcoop.core.models import AuditLogEntry

        entry = AuditLogEntry.objects.get(action="payroll.run.paid")
        assert entry.actor == officer and entry.data["matched_by_hand"] is True
    # closed: the form is gone, and posting again changes nothing
    again = client.post(url, {"bank_reference": "D-7"}, follow=True).content.decode()
    assert "Only a posted run waits for its debit." in again and "Mark the run paid" not in again


def test_a_chunk_is_computed_in_the_same_few_queries_whatever_its_size(team):
    """What the Celery chunk task does: the queries do not grow with the number of workers, so
    a run of 11,000 payslips is not 11,000 round trips of each read and write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    activity, _, contracts, pay_date = team
    more = [worker(activity) for _ in range(4)]
    for n, member in enumerate(more):
        contracts.append(due_contract(activity, member, day=7 + n))
    pay_date = max(c.wage_due_on for c in contracts)
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=pay_date)
        ids = list(run.items.order_by("pk").values_list("pk", flat=True))
        assert len(ids) == 8
        counted = []
        for chunk in (ids[:2], ids[2:]):
            with CaptureQueriesContext(connection) as queries:
                computed = services.payrun_items_compute(run_id=run.pk, item_ids=chunk)
            assert len(computed) == len(chunk)
            counted.append(len(queries))
        assert counted[0] == counted[1] <= 20
        items = list(run.items.order_by("pk").select_related("payslip"))
        assert {i.state for i in items} == {"computed"}
        # one payslip a worker, each paying its own contracts, each audited
        assert Payslip.objects.filter(entity=activity.entity).count() == 8
        for item in items:
            assert (
                sorted(item.payslip.paid_contracts.values_list("contract_id", flat=True))
                == item.contract_ids
            )
        from smartcoop.core.models import AuditLogEntry

        assert AuditLogEntry.objects.filter(action="payroll.payslip.computed").count() == 8
        run.refresh_from_db()
        assert run.items_done == 8
        # the chunk delivered again (acks_late) computes nothing twice
        assert services.payrun_items_compute(run_id=run.pk, item_ids=ids) == []


def test_approval_numbers_the_run_in_one_block_following_the_numbers_already_given(team):
    from payroll import services as payroll_services
    from tests.factories import staff_user

    activity, (ok1, ok2, _, _), _contracts, pay_date = team
    officer = staff_user("payroll_officer", entities=[activity.entity])
    other = worker(activity)
    alone = due_contract(activity, other, day=20)
    with scope(entity=activity.entity_id):
        # a payslip approved on its own first takes number 1
        single = payroll_services.payslip_compute(
            entity=activity.entity, member=other, pay_date=pay_date - dt.timedelta(days=1),
            contracts=[alone], actor=officer,
        )  # fmt: skip
        single = payroll_services.payslip_approve(
            payslip=single, actor=officer, now=dt.datetime.now(dt.UTC), render_pdf=False
        )
        assert single.number == 1
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        services.payrun_approve(run=run, actor=officer)
        approved = list(run.items.filter(state="approved").order_by("pk").select_related("payslip"))
        assert [i.member_id for i in approved] == [ok1.pk, ok2.pk]
        year = pay_date.year
        assert [(i.payslip.number, i.payslip.reference) for i in approved] == [
            (2, f"P{year}-000002"), (3, f"P{year}-000003")
        ]  # fmt: skip
        assert {i.payslip.approved_by_id for i in approved} == {officer.pk}
        from smartcoop.core.models import AuditLogEntry

        assert AuditLogEntry.objects.filter(
            action="payroll.payslip.approved", actor=officer
        ).count() == 3  # fmt: skip


def test_a_run_names_each_anomaly_and_holds_only_the_blocking_ones():
    """No national number and an invalid IBAN block the worker; a student paid beyond the
    yearly quota is a warning and is paid."""
    from activities.services import contract_declare, contract_validate
    from tests.activities.factories import salary_contract
    from tests.factories import LegalEntityFactory

    activity = funded_activity()
    no_number = worker(activity, national_number="")
    bad_iban = worker(activity, iban="BE00 1234 5678 9012")
    student = worker(activity)
    start = next_month_start()
    if start.month == 1:  # the earlier payslip must be of the same year
        start = start.replace(month=2)
    Payslip.objects.create(
        entity=LegalEntityFactory(), member=student,  # 645 hours counted by another entity
        pay_date=start.replace(month=start.month - 1, day=10),
        period_start=start.replace(month=start.month - 1), period_end=start.replace(day=1),
        category="student", status="approved", gross=0, employee_deductions=0, net_taxable=0,
        net_social=0, net_pay=0, employer_contributions=0, employer_cost=0,
        student_hours_in_quota=Decimal("645"), number=1, year=start.year,
    )  # fmt: skip
    contracts = [due_contract(activity, no_number, day=2), due_contract(activity, bad_iban, day=3)]
    studying = salary_contract(activity, member=student, gross="200.00",
                               start=start + dt.timedelta(days=1), contract_type="student")  # fmt: skip
    with scope(entity=activity.entity_id):
        contracts.append(
            contract_declare(contract=contract_validate(contract=studying, actor=None), actor=None)
        )
    pay_date = max(c.wage_due_on for c in contracts)
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        items = {i.member_id: i for i in run.items.all()}
        assert "missing_national_number" in codes(items[no_number.pk])
        assert "invalid_iban" in codes(items[bad_iban.pk])
        assert "student_quota" in codes(items[student.pk])
        assert items[no_number.pk].blocking and items[bad_iban.pk].blocking
        assert not items[student.pk].blocking
        run = services.payrun_approve(run=run, actor=None)
        states = dict(run.items.values_list("member_id", "state"))
    assert states == {no_number.pk: "held", bad_iban.pk: "held", student.pk: "approved"}


def test_the_runs_page_shows_what_the_cooperative_mutualises_in_words(client, team):
    """Per month and contract type: the budgeted cost charged to the Activities, the payslips'
    actual employer cost and the difference, the type named as the pack names it and the month
    written out (not 'employee', '2026-12')."""
    from django.urls import reverse
    from django.utils import formats

    from tests.factories import staff_user

    activity, _workers, contracts, pay_date = team
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        run = services.payrun_approve(run=run, actor=None)
        approved = Payslip.objects.filter(entity=activity.entity, status="approved")
        actual = sum(p.employer_cost for p in approved)
    budgeted = sum(c.employer_cost for c in contracts[:3])  # the held workers are not charged
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    page = client.get(reverse("payroll:runs"))
    (row,) = page.context["difference"]
    assert (row["budgeted"], row["actual"]) == (budgeted, actual)
    assert row["difference"] == budgeted - actual
    html = page.content.decode()
    month = formats.date_format(pay_date.replace(day=1), "YEAR_MONTH_FORMAT")
    assert f"<td>{month}</td><td>Employee (fixed term)</td>" in html


def test_the_progress_reads_right_in_french_for_one_worker(client, team):
    """'1 travailleurs calculés sur 1' was the French progress line of a run of one worker."""
    from django.urls import reverse

    from tests.factories import staff_user

    activity, _workers, contracts, _pay_date = team
    with scope(entity=activity.entity_id):
        run = services.payrun_create(entity=activity.entity, pay_date=contracts[0].wage_due_on)
    assert run.items_total == 1
    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    client.cookies["smartcoop_language"] = "fr"
    html = client.get(reverse("payroll:run_progress", args=[run.public_id])).content.decode()
    assert "Travailleurs calculés : 0 sur 1" in html


def test_a_missing_parameter_is_a_blocking_anomaly_naming_the_parameter_and_the_date():
    """The Belgian key formula is held from 2026: a contract of June 2025 cannot be computed;
    the run says which parameter is missing on which date, and holds the worker."""
    activity = funded_activity()
    member = worker(activity)
    contract = due_contract(activity, member, day=2)
    june = dt.date(2025, 6, 2)
    with scope(entity=activity.entity_id):
        EmploymentContract.objects.filter(pk=contract.pk).update(
            start_date=june, end_date=june, wage_due_on=dt.date(2025, 6, 11)
        )
    run = run_to_review(activity, dt.date(2025, 6, 11))
    with scope(entity=activity.entity_id):
        item = run.items.get(member=member)
        (missing,) = [a for a in item.anomalies if a["code"] == "missing_parameter"]
        assert missing["blocking"] and item.payslip is None
        assert "be.withholding_scale" in missing["detail"] and "2025-06-01" in missing["detail"]
        run = services.payrun_approve(run=run, actor=None)
        assert run.items.get(member=member).state == "held"


def test_a_negative_net_is_a_blocking_anomaly_and_the_worker_is_held(client, settings):
    """How a net goes negative from what the product accepts: the French personalised
    withholding rate is entered in percent from 0 to 100 (the DGFiP's real rates stay below
    ~50 %); a member who types 98 for 9.8 % has a PAS of 98 % of the net taxable (~78 % of the
    gross) on top of ~22 % of contributions. The run says so and holds the worker; once the rate
    is corrected, computing the worker again clears it. (No Belgian input makes one: the
    deductions there are shares of the gross, the special SSC a fixed amount of at most 51.64
    that starts at 1,095 a month.)"""
    from django.urls import reverse

    from activities.services import contract_declare, contract_validate
    from smartcoop.countries.registry import load_pack
    from tests.activities.factories import ActivityFactory, credit, salary_contract
    from tests.factories import LegalEntityFactory

    settings.COUNTRY_PACK = load_pack("FR")
    activity = ActivityFactory(
        entity=LegalEntityFactory(country="FR", enterprise_number="303265045")
    )
    credit(activity, "500000.00")
    member = worker(activity)
    client.force_login(member.user)
    form = {"valid_from": dt.date.today().isoformat(), "marital_status": "single",
            "dependent_children": 0, "disabled_children": 0, "other_dependants": 0,
            "fr_pas_rate_percent": "98"}  # fmt: skip
    assert client.post(reverse("payroll:tax_profile"), form).status_code == 302
    made = salary_contract(activity, member=member, gross="2000.00", contract_type="cdi",
                           start=next_month_start() + dt.timedelta(days=2))  # fmt: skip
    with scope(entity=activity.entity_id):
        contract = contract_declare(contract=contract_validate(contract=made, actor=None),
                                    actor=None)  # fmt: skip
    run = run_to_review(activity, contract.wage_due_on)
    with scope(entity=activity.entity_id):
        item = run.items.get(member=member)
        assert codes(item) == ["negative_net"] and item.blocking
        assert item.payslip.net_pay < 0
        assert item.payslip.net_pay == item.payslip.gross - item.payslip.employee_deductions
    # the member corrects the rate (9.8 %): computed again, the worker is paid
    assert client.post(reverse("payroll:tax_profile"),
                       {**form, "fr_pas_rate_percent": "9.8"}).status_code == 302  # fmt: skip
    with scope(entity=activity.entity_id):
        item = services.payrun_item_recompute(item=item, actor=None)
        assert codes(item) == [] and item.payslip.net_pay > 0
        run = services.payrun_approve(run=PayRun.objects.get(pk=run.pk), actor=None)
        assert run.items.get(member=member).state == "approved"


def test_wages_are_paid_on_the_packs_terms_before_the_client_pays_and_the_exposure_follows(
    client,
):
    """A performance invoiced to a client who has paid nothing: the worker is paid on the
    pack's wage date all the same (no anomaly, no hold), the Activity is charged the budgeted
    cost, and with no money of its own its balance goes negative: the guarantee fund has
    advanced the wage, and the exposure figures say so (the Activity's, the entity's, the staff
    home). When the client pays, the Activity is credited and the exposure is gone."""
    from django.urls import reverse

    from activities.calculations import add_working_days
    from activities.models import ActivityMembership
    from activities.selectors import activity_budget, exposure_for_entity, staff_queues
    from activities.services import contract_declare, contract_validate
    from invoicing import services as invoicing
    from invoicing.models import Invoice
    from smartcoop.core.templatetags.smartcoop import money
    from tests.activities.factories import ActivityFactory
    from tests.factories import OfficeFactory, staff_user

    activity = ActivityFactory()  # no money on it: every euro paid out is advanced
    member = worker(activity)
    ActivityMembership.objects.filter(activity=activity, member=member).update(can_invoice=True)
    with scope(entity=activity.entity_id):
        buyer = invoicing.client_create(
            entity=activity.entity, actor=member.user, activity=activity, kind="company",
            name="Theater Antwerpen nv", street="Kunstlaan 1", postcode="2000", city="Antwerpen",
            country="BE", vat_number="BE0403170701", email="ap@theater.example",
        )  # fmt: skip
        invoice = invoicing.performance_declare(
            actor=member.user, activity=activity, client=buyer, member=member,
            contract_type="employee", start_date=next_month_start() + dt.timedelta(days=2),
            end_date=next_month_start() + dt.timedelta(days=2), hours=Decimal("8"),
            price_excl_vat=Decimal("800.00"), function="Sound engineer",
        )  # fmt: skip
        made = EmploymentContract.objects.get(source_id=str(invoice.public_id))
        made = contract_validate(contract=made, actor=None)
        contract = contract_declare(contract=made, actor=None)
    pay_date = contract.wage_due_on
    # the Belgian pack's terms: seven working days after the performance
    assert pay_date == add_working_days(contract.end_date, 7)
    assert invoice.amount_paid == 0  # and the client has paid nothing
    run = run_to_review(activity, pay_date)
    with scope(entity=activity.entity_id):
        item = run.items.get(member=member)
        assert not item.blocking  # an unpaid client is no anomaly
        run = services.payrun_approve(run=run, actor=None)
        services.payrun_render(run_id=run.pk)
        services.payrun_pay(run_id=run.pk)
        services.payrun_post(run_id=run.pk)
        run.refresh_from_db()
        assert run.items.get(member=member).state == "approved"
        assert Invoice.objects.get(pk=invoice.pk).amount_paid == 0
    net = run.items.get(member=member).payslip.net_pay
    amounts = etree.fromstring(run.sepa_xml.encode()).xpath(".//p:InstdAmt/text()", namespaces=NS)
    assert [Decimal(a) for a in amounts] == [net]  # the net goes out in the salary file
    contract.refresh_from_db()
    assert contract.status == "paid"
    advanced = contract.employer_cost
    office = OfficeFactory()  # the adviser of the coordinator's office
    type(activity.coordinator).objects.filter(pk=activity.coordinator_id).update(office=office)
    officer = staff_user("adviser", office=office, entities=[activity.entity])
    with scope(entity=activity.entity_id):
        assert activity_budget(activity=activity).exposure == advanced
        assert exposure_for_entity(entity=activity.entity) == advanced
        queues = staff_queues(user=officer, entity=activity.entity, today=pay_date)
        assert queues.exposure_total == advanced and activity in queues.exposed
    client.force_login(officer)
    client.cookies["smartcoop_entity"] = str(activity.entity.pk)
    page = client.get(reverse("activities:staff_index")).content.decode()
    assert money(advanced) in page and activity.name in page
    # the client pays: the Activity is credited (less the fee) and the exposure follows
    with scope(entity=activity.entity_id):
        invoicing.payment_record(invoice=invoice, amount=invoice.total_incl_vat,
                                 on=pay_date + dt.timedelta(days=20), source="bank", actor=None)  # fmt: skip
        # the performance's contract was sized on what the client pays less the fee: the
        # advance is covered to the cent
        assert activity_budget(activity=activity).balance == 0
        assert activity_budget(activity=activity).exposure == 0
        assert exposure_for_entity(entity=activity.entity) == 0


def test_the_committee_the_adviser_sets_before_validating_is_the_one_the_payslip_prints():
    """A new Belgian contract names its type's committee (PC 200 for an employee) without anyone
    typing it; the adviser changes it on the draft (here to the performing arts' 304.01) and the
    run pays it without the 'no joint committee' warning, the payslip printing the new one."""
    from activities.services import (
        contract_declare,
        contract_set_joint_committee,
        contract_validate,
    )
    from payroll.documents.render import payslip_document_data, payslip_facts, typst_pdf
    from tests.activities.factories import salary_contract
    from tests.payroll.test_payslip_documents import pdf_text

    activity = funded_activity()
    member = worker(activity)
    with scope(entity=activity.entity_id):
        made = salary_contract(
            activity, member=member, gross="400.00", start=next_month_start() + dt.timedelta(days=2)
        )
        assert made.joint_committee == "200"
        made = contract_set_joint_committee(contract=made, joint_committee="304.01", actor=None)
        made = contract_declare(contract=contract_validate(contract=made, actor=None), actor=None)
    run = run_to_review(activity, made.wage_due_on)
    with scope(entity=activity.entity_id):
        item = run.items.get(member=member)
        assert "no_joint_committee" not in codes(item)
        services.payrun_approve(run=run, actor=None)
        payslip = Payslip.objects.select_related("member").get(member=member)
        data = payslip_document_data(payslip, payslip_facts(payslip), "en")
        text = " ".join(pdf_text(typst_pdf(data)).split())
    assert "Joint committee 304.01" in text
    assert "not stated on the contract" not in text


def test_a_contract_without_joint_committee_is_flagged_and_the_payslip_says_so(client):
    """A Belgian payslip names the joint committee; a contract that names none no longer
    prints a silent '—': the run warns (the worker is still paid) and the payslip reads 'not
    stated on the contract'. A contract that names one prints it, without a warning."""
    from payroll.documents.render import payslip_document_data, payslip_facts, typst_pdf
    from tests.payroll.test_payslip_documents import pdf_text

    activity = funded_activity()
    bare, named = worker(activity), worker(activity)
    contracts = [due_contract(activity, bare, day=2, joint_committee=""),
                 due_contract(activity, named, day=2)]  # fmt: skip
    run = run_to_review(activity, contracts[0].wage_due_on)
    with scope(entity=activity.entity_id):
        items = {i.member_id: i for i in run.items.select_related("payslip")}
        assert "no_joint_committee" in codes(items[bare.pk])
        assert not items[bare.pk].blocking
        assert "no_joint_committee" not in codes(items[named.pk])
        run = services.payrun_approve(run=run, actor=None)
        assert run.items.get(member=bare).state == "approved"
        texts = {}
        for member in (bare, named):
            payslip = Payslip.objects.select_related("member").get(member=member)
            data = payslip_document_data(payslip, payslip_facts(payslip), "en")
            texts[member.pk] = " ".join(pdf_text(typst_pdf(data)).split())
    assert "Joint committee not stated on the contract" in texts[bare.pk]
    assert "Joint committee 200" in texts[named.pk]
    # the officer reads the warning on the run page, in their language
    from django.urls import reverse

    from tests.factories import staff_user

    client.force_login(staff_user("payroll_officer", entities=[activity.entity]))
    client.cookies["smartcoop_language"] = "nl"
    page = client.get(reverse("payroll:run", args=[run.public_id])).content.decode()
    assert "Een contract vermeldt geen paritair comité" in page
