"""CODA 2.x parsing against the Febelfin field positions (see the docstring of invoicing/bank.py
for the sources). Every record is built field by field at its documented 1-based position."""

from datetime import date
from decimal import Decimal

import pytest

from invoicing import services
from invoicing.bank import StatementError, belgian_iban, parse_coda, parse_statement
from invoicing.models import BankTransaction, Invoice

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")

ACCOUNT = "BE68539007547034"
COUNTERPARTY = "BE71096123456769"


def record(*fields: tuple[int, str]) -> str:
    """A 128-character CODA record with each (1-based position, text) placed; blanks elsewhere."""
    line = [" "] * 128
    for position, text in fields:
        assert position - 1 + len(text) <= 128, (position, text)
        line[position - 1 : position - 1 + len(text)] = text
    return "".join(line)


def header(created: str = "200326") -> str:
    return record(
        (1, "0"),
        (2, "0000"),
        (6, created),  # 6-11 creation date DDMMYY
        (12, "539"),  # 12-14 bank identification number
        (15, "05"),  # 15-16 application code
        (25, "FILEREF001"),  # 25-34 file reference
        (35, "VERENIGDE PRODUCTIES"),  # 35-60 name addressee
        (61, "GKCCBEBB"),  # 61-71 BIC
        (72, "00403170701"),  # 72-82 company number
        (128, "2"),  # 128 version code
    )


def old_balance(amount: str = "000000001000000", sign: str = "0", structure: str = "2") -> str:
    account = ACCOUNT if structure == "2" else "539007547034"
    return record(
        (1, "1"),
        (2, structure),  # 2 account structure: 0 Belgian number, 2 IBAN of a Belgian account
        (3, "012"),  # 3-5 paper statement number
        (6, account),  # 6-42 account: IBAN from 6 (structure 2) or 12 digits at 6-17 (0)
        (40 if structure == "2" else 19, "EUR"),  # currency: 40-42 (2) or 19-21 (0)
        (43, sign),  # 43 old balance sign, 0 credit 1 debit
        (44, amount),  # 44-58 old balance, 12 + 3 decimals
        (59, "190326"),  # 59-64 old balance date
        (65, "VERENIGDE PRODUCTIES VZW"),  # 65-90 account holder
        (91, "ZICHTREKENING"),  # 91-125 account description
        (126, "012"),  # 126-128 CODA sequence number
    )


def movement(
    sequence: str,
    amount: str,
    sign: str = "0",
    *,
    detail: str = "0000",
    reference: str = "",
    code: str = "00150000",
    communication: str = "",
    structured: bool = False,
    entry_date: str = "200326",
    next_code: str = "0",
) -> str:
    return record(
        (1, "21"),
        (3, sequence),  # 3-6 continuous sequence number
        (7, detail),  # 7-10 detail number
        (11, reference or f"REF{sequence}{detail}BANK".ljust(21, "X")),  # 11-31 bank reference
        (32, sign),  # 32 movement sign, 0 credit 1 debit
        (33, amount),  # 33-47 amount, 12 + 3 decimals
        (48, "200326"),  # 48-53 value date
        (54, code),  # 54-61 transaction code (54 type, 55-56 family, 57-58 op, 59-61 category)
        (62, "1" if structured else "0"),  # 62 communication type
        (63, communication[:53]),  # 63-115 communication (63-65 type if structured)
        (116, entry_date),  # 116-121 entry date
        (122, "012"),  # 122-124 paper statement number
        (125, "0"),  # 125 globalisation code
        (126, next_code),  # 126 next code: 1 = a 2.2 or 2.3 follows
        (128, "0"),  # 128 link code: 1 = an information record follows
    )


def movement_2(sequence: str, communication: str = "", bic: str = "", detail: str = "0000") -> str:
    return record(
        (1, "22"),
        (3, sequence),  # 3-6 continuous sequence number
        (7, detail),  # 7-10 detail number
        (11, communication[:53]),  # 11-63 communication (continued)
        (64, "CUSTREF-1"),  # 64-98 customer reference
        (99, bic),  # 99-109 BIC of the counterparty's bank
        (126, "1"),  # 126 next code: a 2.3 follows
        (128, "0"),
    )


def movement_3(sequence: str, account: str, name: str, communication: str = "") -> str:
    return record(
        (1, "23"),
        (3, sequence),  # 3-6 continuous sequence number
        (7, "0000"),  # 7-10 detail number
        (11, account),  # 11-47 counterparty account (and currency)
        (48, name),  # 48-82 counterparty name
        (83, communication[:43]),  # 83-125 communication (continued)
        (126, "0"),
        (128, "0"),
    )


def new_balance(amount: str, sign: str = "0") -> str:
    return record(
        (1, "8"),
        (2, "012"),  # 2-4 paper statement number
        (5, ACCOUNT),  # 5-41 account and currency
        (39, "EUR"),
        (42, sign),  # 42 new balance sign
        (43, amount),  # 43-57 new balance, 12 + 3 decimals
        (58, "200326"),  # 58-63 new balance date
        (128, "0"),  # 128 link code: 1 = a free communication follows
    )


def trailer(count: int, debit: str, credit: str, last: str = "2") -> str:
    return record(
        (1, "9"),
        (17, f"{count:06d}"),  # 17-22 number of records 1, 2.x, 3.x and 8
        (23, debit),  # 23-37 debit movement (detail 0000), 12 + 3 decimals
        (38, credit),  # 38-52 credit movement
        (128, last),  # 128 multiple file code: 1 another file follows, 2 last file
    )


def coda(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("latin-1") + b"\r\n"


def statement_with(ogm: str) -> bytes:
    """Old balance 1 000.000; + 1 159.200 (OGM), - 12.500 fees, + 250.000 free text."""
    return coda(
        header(),
        old_balance(),
        movement(
            "0001", "000000001159200", communication="101" + ogm, structured=True, next_code="1"
        ),
        movement_2("0001", bic="GEBABEBB"),
        movement_3("0001", f"{COUNTERPARTY}                     EUR", "THEATER ANTWERPEN"),
        movement("0002", "000000000012500", "1", code="08037000", communication="FEES MARCH"),
        movement(
            "0003", "000000000250000", communication="INVOICE VP-2026-0001 AND", next_code="1"
        ),
        movement_2("0003", communication="THANKS FOR THE SHOW"),
        movement_3("0003", "", "CULTUURCENTRUM"),
        new_balance("000000002396700"),
        trailer(9, "000000000012500", "000000001409200"),
    )


def test_credit_with_structured_communication_debit_and_free_text():
    statement = parse_statement(statement_with("240283842818"))
    assert statement.format == "coda"
    assert statement.account_iban == ACCOUNT
    assert statement.currency == "EUR"
    assert statement.opening_balance == Decimal("1000.000")
    assert statement.closing_balance == Decimal("2396.700")
    assert statement.statement_id == "200326FILEREF001/012"
    credit, debit, free = statement.entries
    assert credit.amount == Decimal("1159.200") and isinstance(credit.amount, Decimal)
    assert credit.structured_reference == "240283842818" and credit.free_text == ""
    assert credit.counterparty_iban == COUNTERPARTY
    assert credit.counterparty_name == "THEATER ANTWERPEN"
    assert credit.booking_date == date(2026, 3, 20)
    assert credit.bank_reference == "REF00010000BANKXXXXXX/20260320/012/0001/0000"
    assert debit.amount == Decimal("-12.500")
    assert debit.free_text == "FEES MARCH" and debit.structured_reference == ""
    # Free text over 2.1 (63-115) and 2.2 (11-63), the name from 2.3 (48-82).
    assert free.free_text == "INVOICE VP-2026-0001 AND THANKS FOR THE SHOW"
    assert free.structured_reference == "" and free.counterparty_name == "CULTUURCENTRUM"
    assert free.counterparty_iban == ""


def test_communication_continues_into_2_3_and_a_word_may_be_cut():
    text = "PAYMENT FOR THE PERFORMANCE OF 14 MARCH IN THE BIG HA"  # 53 characters, cut in "HALL"
    assert len(text) == 53
    statement = parse_coda(
        coda(
            header(),
            old_balance(),
            movement("0001", "000000000100000", communication=text, next_code="1"),
            movement_2("0001", communication="LL, SECOND PART".ljust(53)),
            movement_3("0001", "", "X", communication="AND A THIRD"),
            new_balance("000000001100000"),
            trailer(5, "0" * 15, "000000000100000"),
        )
    )
    (entry,) = statement.entries
    assert entry.free_text == (
        "PAYMENT FOR THE PERFORMANCE OF 14 MARCH IN THE BIG HALL, SECOND PART AND A THIRD"
    )


def test_belgian_account_structure_0_becomes_an_iban_and_debit_balances():
    assert belgian_iban("539007547034") == ACCOUNT
    statement = parse_coda(
        coda(
            header(),
            old_balance("000000000050000", sign="1", structure="0"),  # - 50.000
            movement("0001", "000000000020000", "1", communication="RENT"),
            movement_3("0001", "096123456769 EUR", "LANDLORD"),  # Belgian counterparty number
            new_balance("000000000070000", sign="1"),  # - 70.000
            trailer(4, "000000000020000", "0" * 15),
        )
    )
    assert statement.account_iban == ACCOUNT
    assert statement.opening_balance == Decimal("-50.000")
    assert statement.closing_balance == Decimal("-70.000")
    (entry,) = statement.entries
    assert entry.amount == Decimal("-20.000")
    assert entry.counterparty_iban == COUNTERPARTY


def test_several_statements_in_one_file():
    first = [
        header(),
        old_balance(),
        movement("0001", "000000000100000", communication="ONE"),
        new_balance("000000001100000"),
        trailer(3, "0" * 15, "000000000100000", last="1"),
    ]
    second = [
        header("210326"),
        old_balance("000000001100000"),
        movement("0001", "000000000010000", "1", communication="TWO", entry_date="210326"),
        new_balance("000000001090000"),
        trailer(3, "000000000010000", "0" * 15),
    ]
    statement = parse_coda(coda(*first, *second))
    assert [e.free_text for e in statement.entries] == ["ONE", "TWO"]
    assert [e.booking_date for e in statement.entries] == [date(2026, 3, 20), date(2026, 3, 21)]
    assert statement.closing_balance == Decimal("1090.000")
    assert statement.statement_id == "200326FILEREF001/012+210326FILEREF001/012"


def test_globalised_movement_is_booked_as_its_details_once():
    """Type 2 (54) total of 300 by the bank, detailed by two type-6 records with their own
    structured communications: the details are booked, not the total as well."""
    statement = parse_coda(
        coda(
            header(),
            old_balance(),
            movement("0001", "000000000300000", code="20150000", reference="GLOBALREF"),
            movement(
                "0001",
                "000000000100000",
                detail="0001",
                code="60150000",
                reference="GLOBALREF",
                communication="101240283842818",
                structured=True,
            ),
            movement(
                "0001",
                "000000000200000",
                detail="0002",
                code="60150000",
                reference="GLOBALREF",
                communication="101000000000097",
                structured=True,
            ),
            new_balance("000000001300000"),
            # Only the detail-0000 record counts in the totals.
            trailer(5, "0" * 15, "000000000300000"),
        )
    )
    assert [(e.amount, e.structured_reference) for e in statement.entries] == [
        (Decimal("100.000"), "240283842818"),
        (Decimal("200.000"), "000000000097"),
    ]
    assert len({e.bank_reference for e in statement.entries}) == 2


def test_invalid_line_length_is_reported_with_its_line_and_nothing_is_returned():
    lines = statement_with("240283842818").decode("latin-1").splitlines()
    lines[2] = lines[2][:127]
    with pytest.raises(StatementError) as error:
        parse_coda("\n".join(lines).encode("latin-1"))
    assert error.value.errors == ["line 3: a CODA record has 128 characters, not 127"]


def test_wrong_record_sequence():
    content = coda(
        header(),
        movement("0001", "000000000100000"),  # a movement before the old balance record 1
        old_balance(),
        new_balance("000000001000000"),
        trailer(2, "0" * 15, "0" * 15),
    )
    with pytest.raises(StatementError) as error:
        parse_coda(content)
    assert error.value.errors == [
        "line 2: record 2.1 (movement) cannot follow 0 (header); expected 1 (old balance)",
        "line 3: record 1 (old balance) cannot follow 2.1 (movement); expected 2.1 (movement) "
        "or 2.2 (movement) or 2.3 (movement) or 3.1 (information) or 8 (new balance)",
    ]
    # A 2.2 that does not continue the movement before it, and a missing trailer.
    content = coda(
        header(),
        old_balance(),
        movement("0001", "000000000100000"),
        movement_2("0002"),
        new_balance("000000001100000"),
    )
    with pytest.raises(StatementError) as error:
        parse_coda(content)
    assert error.value.errors == [
        "line 4: record 2.2 (movement) has sequence and detail '00020000', not those of the "
        "movement before it",
        "the file ends without a trailer record 9",
    ]


def test_bad_date_sign_and_amount_are_each_reported():
    content = coda(
        header(),
        old_balance(),
        movement("0001", "000000000100000", entry_date="310226"),  # 31 February
        movement("0002", "00000000010000X", "2"),
        new_balance("000000001000000"),
        trailer(4, "0" * 15, "0" * 15),
    )
    with pytest.raises(StatementError) as error:
        parse_coda(content)
    assert error.value.errors == [
        "line 3: the entry date '310226' is not DDMMYY",
        "line 4: sign '2' and amount '00000000010000X' are not valid",
    ]


def test_trailer_count_totals_and_balances_are_checked():
    good = statement_with("240283842818").decode("latin-1").splitlines()
    bad_count = [*good[:-1], trailer(8, "000000000012500", "000000001409200")]
    bad_total = [*good[:-1], trailer(9, "000000000012500", "000000001409201")]
    bad_balance = [*good[:-2], new_balance("000000002396710"), good[-1]]
    for lines, message in [
        (bad_count, "line 11: the trailer announces 8 records, the statement has 9"),
        (bad_total, "line 11: the trailer totals"),
        (bad_balance, "line 11: old balance 1000.000 + credit 1409.200 - debit 12.500"),
    ]:
        with pytest.raises(StatementError) as error:
            parse_coda("\n".join(lines).encode("latin-1"))
        assert error.value.errors[0].startswith(message), error.value.errors


def test_unsupported_version_and_unknown_record():
    content = coda(
        header()[:127] + "1",
        old_balance(),
        record((1, "25"), (3, "0001")),
        new_balance("000000001000000"),
        trailer(2, "0" * 15, "0" * 15),
    )
    with pytest.raises(StatementError) as error:
        parse_coda(content)
    assert error.value.errors == [
        "line 1: only CODA version 2 is supported (position 128)",
        "line 3: unknown record type '25'",
    ]


def test_import_matches_the_invoice_by_its_structured_communication(issued, be_entity, accountant):
    content = statement_with(issued.structured_communication)
    result = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="march.cod", content=content
    )
    assert (result.created, result.matched, result.unmatched) == (3, 1, 1)
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PAID and issued.amount_due == 0
    row = BankTransaction.objects.get(structured_reference=issued.structured_communication)
    assert row.status == BankTransaction.Status.MATCHED
    assert row.amount == Decimal("1159.20") and row.counterparty_iban == COUNTERPARTY
    assert row.statement.account_iban == ACCOUNT and row.statement.format == "coda"
    fees = BankTransaction.objects.get(amount=Decimal("-12.50"))
    assert fees.status == BankTransaction.Status.IGNORED
    # The same file again changes nothing.
    again = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="march.cod", content=content
    )
    assert again.already_imported
    # A malformed file imports nothing and lists each bad line.
    broken = content.splitlines()
    broken[2] = broken[2][:100]
    with pytest.raises(services.StatementRejected) as error:
        services.bank_statement_import(
            entity=be_entity, actor=accountant, file_name="bad.cod", content=b"\n".join(broken)
        )
    assert error.value.extra["errors"][0].startswith("line 3:")
    assert BankTransaction.objects.count() == 3
