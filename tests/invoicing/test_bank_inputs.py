"""Bank statements built to break the import: each is refused with the line or entry at fault and
nothing stored, or imported exactly as sent. Plus concurrent imports of one file (real threads)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scope

from invoicing import services
from invoicing.models import BankStatement, BankTransaction
from tests.invoicing.test_bank_and_reminders import camt
from tests.invoicing.test_bank_coda import (
    COUNTERPARTY,
    coda,
    header,
    movement,
    movement_3,
    new_balance,
    old_balance,
    statement_with,
    trailer,
)

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")


def counts() -> tuple[int, int]:
    return BankStatement.objects.count(), BankTransaction.objects.count()


def refused(entity, actor, content: bytes) -> list[str]:
    before = counts()
    with pytest.raises(services.StatementRejected) as error:
        services.bank_statement_import(
            entity=entity, actor=actor, file_name="x.xml", content=content
        )
    assert counts() == before
    return error.value.extra["errors"]


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        ("NaN", "is missing or not a decimal number"),
        ("sNaN", "is missing or not a decimal number"),
        ("Infinity", "is missing or not a decimal number"),
        ("1E+20", "is missing or not a decimal number"),
        ("100000000000000000000", "is too large (at most 999999999999.99)"),
        ("-50.00", "is negative"),
        ("12.345", "has more decimals than cents"),
        ("", "is missing"),
    ],
)
def test_camt_amounts_that_cannot_be_booked_are_refused_by_entry(
    be_entity, accountant, amount, why
):
    content = camt([("REF-OK", "10.00", "CRDT", "fine"), ("REF-BAD", amount, "CRDT", "bad")])
    errors = refused(be_entity, accountant, content)
    assert len(errors) == 1
    assert errors[0].startswith("entry 2 (line ") and why in errors[0]


def test_camt_amount_with_trailing_zeros_is_exact_cents(be_entity, accountant):
    content = camt([("REF-1", "10.500", "CRDT", "fine")])
    services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="x.xml", content=content
    )
    assert BankTransaction.objects.get().amount == Decimal("10.50")


def test_references_longer_than_the_column_are_refused_not_cut(be_entity, accountant):
    """Two references sharing their first 100 characters were cut to the same key: the second
    entry was skipped as 'already imported'."""
    prefix = "R" * 100
    content = camt(
        [(prefix + "-1", "10.00", "CRDT", "one"), (prefix + "-2", "20.00", "CRDT", "two")]
    )
    errors = refused(be_entity, accountant, content)
    assert [e.split(": ", 1)[1] for e in errors] == [
        "the bank reference has 102 characters, at most 100 are accepted"
    ] * 2
    # At exactly 100 characters both are kept, each under its own reference.
    content = camt(
        [(prefix[:98] + "-1", "10.00", "CRDT", "a"), (prefix[:98] + "-2", "20.00", "CRDT", "b")]
    )
    result = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="x.xml", content=content
    )
    assert result.created == 2
    assert sorted(BankTransaction.objects.values_list("amount", flat=True)) == [10, 20]


def test_camt_with_a_byte_order_mark_is_accepted_and_is_the_same_file(be_entity, accountant):
    content = camt([("REF-1", "10.00", "CRDT", "fine")])
    result = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="x.xml", content=b"\xef\xbb\xbf" + content
    )
    assert result.created == 1
    again = services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="x.xml", content=content
    )
    assert again.already_imported and counts() == (1, 1)


def test_control_characters_in_camt_texts_become_spaces(be_entity, accountant):
    content = camt([("REF-1", "10.00", "CRDT", "line one&#10;line\u0085two")])
    services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="x\x00.xml", content=content
    )
    row = BankTransaction.objects.get()
    assert row.free_text == "line one line two"
    assert row.statement.file_name == "x .xml"


def test_coda_with_a_byte_order_mark_is_accepted(be_entity, accountant):
    result = services.bank_statement_import(
        entity=be_entity,
        actor=accountant,
        file_name="march.cod",
        content=b"\xef\xbb\xbf" + statement_with("240283842818"),
    )
    assert result.created == 3


def _coda_with_counterparty(account_zone: str, name: str = "THEATER") -> bytes:
    return coda(
        header(),
        old_balance(),
        movement("0001", "000000000100000", communication="HELLO", next_code="1"),
        movement_3("0001", account_zone, name),
        new_balance("000000001100000"),
        trailer(4, "0" * 15, "000000000100000"),
    )


def test_coda_non_ascii_digits_in_an_account_are_refused_by_line(be_entity, accountant):
    # "²" is a digit for str.isdigit() but not for int(): it used to answer 500.
    errors = refused(be_entity, accountant, _coda_with_counterparty("²³¹000000000 EUR".ljust(37)))
    assert errors == [
        "line 4: the counterparty account '²³¹000000000 EUR' has characters other than ASCII "
        "letters and digits"
    ]


def test_coda_nul_bytes_are_refused_with_their_line_and_position(be_entity, accountant):
    content = _coda_with_counterparty(f"{COUNTERPARTY}\x00".ljust(37), name="THE\x00ATER")
    errors = refused(be_entity, accountant, content)
    assert errors[0] == (
        "line 4: a control character (such as NUL) at position 27; a CODA record holds "
        "printable characters only"
    )
    # The statement's own account with a NUL in it: the same.
    lines = statement_with("240283842818").split(b"\r\n")
    lines[1] = lines[1][:10] + b"\x00" + lines[1][11:]
    errors = refused(be_entity, accountant, b"\r\n".join(lines))
    assert errors[0].startswith("line 2: a control character (such as NUL) at position 11")


def test_coda_amount_with_a_third_decimal_is_refused(be_entity, accountant):
    content = coda(
        header(),
        old_balance(),
        movement("0001", "000000000100005"),
        new_balance("000000001100005"),
        trailer(3, "0" * 15, "000000000100005"),
    )
    errors = refused(be_entity, accountant, content)
    assert errors == ["line 3: the amount 100.005 has more decimals than cents"]


def test_coda_foreign_account_of_34_characters_is_kept_whole(be_entity, accountant):
    content = _coda_with_counterparty("NL91ABNA0417164300".ljust(34) + "EUR")
    services.bank_statement_import(
        entity=be_entity, actor=accountant, file_name="x.cod", content=content
    )
    assert BankTransaction.objects.get().counterparty_iban == "NL91ABNA0417164300"


def test_statement_upload_over_the_limit_is_refused_at_the_form(be_entity, accountant, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from invoicing.forms import StatementUploadForm

    big = SimpleUploadedFile("big.xml", b"<" + b" " * StatementUploadForm.MAX_BYTES)
    form = StatementUploadForm(data={}, files={"file": big})
    assert not form.is_valid()
    assert "larger than 20 MB" in form.errors["file"][0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_statement_store_it_once(be_entity, accountant):
    """Four people upload the same file at the same moment: one imports it, the others are told
    it was already imported (no 500 on the unique constraint), and each entry is stored once."""
    content = camt([("REF-1", "10.00", "CRDT", "one"), ("REF-2", "20.00", "CRDT", "two")])
    barrier = threading.Barrier(4)
    results, failures = [], []

    def upload():
        try:
            with scope(entity=be_entity):
                barrier.wait()
                results.append(
                    services.bank_statement_import(
                        entity=be_entity, actor=accountant, file_name="x.xml", content=content
                    )
                )
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(r.already_imported for r in results) == [False, True, True, True]
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_overlapping_statements_store_each_entry_once(be_entity, accountant):
    """Two different files sharing an entry, uploaded together: the shared entry is stored once
    and the second file skips it."""
    first = camt([("REF-1", "10.00", "CRDT", "one"), ("REF-2", "20.00", "CRDT", "two")], "S1")
    second = camt([("REF-2", "20.00", "CRDT", "two"), ("REF-3", "30.00", "CRDT", "three")], "S2")
    barrier = threading.Barrier(2)
    results, failures = [], []

    def upload(content):
        try:
            with scope(entity=be_entity):
                barrier.wait()
                results.append(
                    services.bank_statement_import(
                        entity=be_entity, actor=accountant, file_name="x.xml", content=content
                    )
                )
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted((r.created, r.skipped) for r in results) == [(1, 1), (2, 0)]
    assert sorted(BankTransaction.objects.values_list("bank_reference", flat=True)) == [
        "REF-1",
        "REF-2",
        "REF-3",
    ]


def test_the_page_shows_each_refused_line(be_entity, accountant, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(accountant)
    content = camt([("REF-1", "NaN", "CRDT", "one")])
    response = client.post(
        reverse("invoicing:staff_bank"), {"file": SimpleUploadedFile("x.xml", content)}
    )
    assert response.status_code == 200
    assert "the amount &#x27;NaN&#x27; is missing or not a decimal number" in response.text
    assert counts() == (0, 0)
