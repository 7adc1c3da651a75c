from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from activities.selectors import activity_budget
from invoicing import services
from invoicing.bank import parse_coda
from invoicing.models import BankTransaction, Invoice, Reminder
from smartcoop.core.errors import ValidationFailed
from tests.invoicing.conftest import issue_overdue

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


def camt(entries: list[tuple[str, str, str, str]], statement_id: str = "STMT-1") -> bytes:
    """A camt.053.001.08 statement; entries are (bank ref, amount, CRDT/DBIT, remittance)."""
    rows = []
    for ref, amount, sign, remittance in entries:
        strd = (
            f"<Strd><CdtrRefInf><Ref>{remittance}</Ref></CdtrRefInf></Strd>"
            if remittance.isdigit() or remittance.startswith("RF")
            else f"<Ustrd>{remittance}</Ustrd>"
        )
        rows.append(
            f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>
            <BookgDt><Dt>2026-03-20</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
            <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Theater Antwerpen</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties>
            <RmtInf>{strd}</RmtInf></TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>{statement_id}</Id>
<Acct><Id><IBAN>BE68539007547034</IBAN></Id></Acct>{"".join(rows)}</Stmt></BkToCstmrStmt></Document>""".encode()


def test_camt053_import_matches_by_ogm_pays_and_credits_the_activity(issued, be_entity, accountant):
    before = activity_budget(activity=issued.activity)
    content = camt(
        [
            ("REF-1", "1159.20", "CRDT", issued.structured_communication),
            ("REF-2", "12.00", "DBIT", "bank fees"),
            ("REF-3", "50.00", "CRDT", "no idea"),
        ]
    )
    result = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="march.xml", content=content
    )
    assert (result.created, result.matched, result.unmatched) == (3, 1, 1)
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PAID and issued.amount_due == 0
    after = activity_budget(activity=issued.activity)
    # The Activity gets the amount excl. VAT minus the 6.5 % fee (be.fee_rate).
    gained = after.balance - before.balance
    assert gained == Decimal("1020.00") - Decimal("66.30")
    # Same statement again: nothing changes.
    again = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="march.xml", content=content
    )
    assert again.already_imported
    # The same bank entries in another file: skipped, not paid twice.
    other = services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="copy.xml",
        content=camt([("REF-1", "1159.20", "CRDT", issued.structured_communication)], "STMT-2"),
    )
    assert (other.created, other.skipped) == (0, 1)
    assert activity_budget(activity=issued.activity).balance == after.balance


def test_partial_then_over_payment(issued, be_entity, accountant):
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="a.xml",
        content=camt([("P1", "500.00", "CRDT", issued.structured_communication)], "A"),
    )
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PARTLY_PAID and issued.amount_due == Decimal("659.20")
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="b.xml",
        content=camt([("P2", "700.00", "CRDT", f"+++{issued.structured_communication}+++")], "B"),
    )
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PAID
    row = BankTransaction.objects.get(bank_reference="P2")
    assert row.unapplied_amount == Decimal("40.80")  # over-payment kept visible on the line


def test_match_by_reference_and_amount_then_by_hand(issued, be_entity, accountant):
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="c.xml",
        content=camt([("R1", "1159.20", "CRDT", f"invoice {issued.reference}")], "C"),
    )
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PAID


def test_manual_match(issued, be_entity, accountant):
    services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="d.xml",
        content=camt([("M1", "100.00", "CRDT", "for the concert")], "D"),
    )
    row = BankTransaction.objects.get(bank_reference="M1")
    assert row.status == BankTransaction.Status.UNMATCHED
    services.bank_transaction_match(transaction_row=row, invoice=issued, actor=accountant)
    issued.refresh_from_db()
    assert issued.amount_paid == Decimal("100.00")


def test_malformed_statement_imports_nothing_and_reports_each_bad_line(be_entity, accountant):
    content = camt(
        [("OK1", "10.00", "CRDT", "x"), ("BAD", "ten", "CRDT", "y"), ("BAD2", "5.00", "XXXX", "z")]
    )
    with pytest.raises(ValidationFailed) as error:
        services.bank_statement_import(
            entity=be_entity, actor=accountant, file_name="bad.xml", content=content
        )
    errors = error.value.extra["errors"]
    assert len(errors) == 2 and "entry 2" in errors[0] and "entry 3" in errors[1]
    assert not BankTransaction.objects.exists()
    with pytest.raises(ValidationFailed):
        services.bank_statement_import(
            entity=be_entity, actor=accountant, file_name="x.pdf", content=b"%PDF-1.7 hello"
        )


def coda_record(*fields: tuple[int, str]) -> str:
    """A 128-character CODA record with each (1-based position, text) placed."""
    line = [" "] * 128
    for position, text in fields:
        line[position - 1 : position - 1 + len(text)] = text
    return "".join(line)


def test_coda_parser_reads_structured_communication(issued):
    ogm = issued.structured_communication
    lines = [
        # Positions per Febelfin CODA 2 (see invoicing/bank.py); 128 = version code "2".
        coda_record((1, "0"), (6, "200326"), (25, "0403170701"), (128, "2")),
        coda_record(
            (1, "1"), (2, "2"), (3, "001"), (6, "BE68539007547034"), (43, "0"), (44, "0" * 15)
        ),
        coda_record(
            (1, "21"),
            (3, "0001"),
            (7, "0000"),
            (11, "BANKREF0000000000001"),
            (32, "0"),
            (33, "000000001159200"),
            (48, "200326"),
            (54, "00150000"),
            (62, "1"),
            (63, "101" + ogm),
            (116, "200326"),
            (122, "001"),
        ),
        coda_record(
            (1, "23"), (3, "00010000"), (11, "BE71096123456769"), (48, "THEATER ANTWERPEN")
        ),
        # 8: 42 sign, 43-57 new balance, 58-63 date; 9: 17-22 records, 23-37 debit, 38-52 credit.
        coda_record((1, "8"), (2, "001"), (42, "0"), (43, "000000001159200"), (58, "200326")),
        coda_record((1, "9"), (17, "000004"), (23, "0" * 15), (38, "000000001159200")),
    ]
    statement = parse_coda("\n".join(lines).encode("latin-1"))
    (entry,) = statement.entries
    assert entry.amount == Decimal("1159.200")
    assert entry.structured_reference == ogm
    assert entry.bank_reference.startswith("BANKREF0000000000001/")
    assert entry.counterparty_name == "THEATER ANTWERPEN"
    assert statement.account_iban == "BE68539007547034"
    bad = "\n".join([*lines[:2], lines[2][:100]]).encode("latin-1")
    with pytest.raises(Exception, match="line 3"):
        parse_coda(bad)


def _overdue(member, activity, client, due_days_ago: int, on: date) -> Invoice:
    return issue_overdue(member, activity, client, due_days_ago, on=on)


def test_reminders_follow_the_b2b_schedule_once(member, activity, be_client, monkeypatch):
    from invoicing import tasks

    monkeypatch.setattr(tasks.SmartcoopTask, "enqueue", lambda self, *a, **kw: self(*a, **kw))
    today = date(2026, 6, 1)
    notice = _overdue(member, activity, be_client, 40, today)
    first = _overdue(member, activity, be_client, 8, today)
    not_yet = _overdue(member, activity, be_client, 3, today)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.reminders_run(on=today) == 2
    assert services.reminders_run(on=today) == 0  # a second run sends nothing
    assert Reminder.objects.get(invoice=first).step == 1
    formal = Reminder.objects.get(invoice=notice)
    assert (formal.step, formal.kind) == (3, "formal_notice")
    assert formal.fixed_costs == Decimal("40.00")  # be.late_payment_fixed_indemnity_b2b
    assert formal.interest_rate == Decimal("0.105")
    assert formal.interest == Decimal("13.34")  # 1159.20 x 10.5 % x 40 / 365
    assert not Reminder.objects.filter(invoice=not_yet).exists()
    letters = [m for m in mail.outbox if m.subject.startswith(("Reminder", "Formal notice"))]
    assert sorted(m.subject.split(":")[0] for m in letters) == ["Formal notice", "Reminder"]
    assert all(m.attachments[0][2] == "application/pdf" for m in letters)
    assert all("/invoicing/pay/" in m.body for m in letters)


def test_disputes_and_payment_plans_pause_reminders(member, activity, be_client):
    today = date(2026, 6, 1)
    disputed = _overdue(member, activity, be_client, 8, today)
    planned = _overdue(member, activity, be_client, 8, today)
    services.client_message_create(
        invoice=disputed, name="AP", email="ap@x.example", message="Wrong hours", is_dispute=True
    )
    services.invoice_collection_set(invoice=planned, actor=None, collection="payment_plan")
    assert services.reminders_run(on=today) == 0


def test_consumer_first_reminder_is_free_then_capped_damages(member, activity, consumer):
    today = date(2026, 6, 1)
    invoice = _overdue(member, activity, consumer, 8, today)
    services.reminders_run(on=today)
    first = Reminder.objects.get(invoice=invoice)
    assert (first.step, first.fixed_costs, first.interest) == (1, 0, 0)
    services.reminders_run(on=today + timedelta(days=15))
    second = Reminder.objects.get(invoice=invoice, kind="formal_notice")
    # Book XIX: > 500 -> 65 + 5 % of the part above 500
    assert second.fixed_costs == Decimal("65.00") + (Decimal("1159.20") - 500) * Decimal("0.05")


def test_reminder_selection_uses_a_row_lock_with_skip_locked(member, activity, be_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _overdue(member, activity, be_client, 8, date(2026, 6, 1))
    with CaptureQueriesContext(connection) as queries:
        services.reminders_run(on=date(2026, 6, 1))
    assert any("SKIP LOCKED" in q["sql"] for q in queries.captured_queries)
