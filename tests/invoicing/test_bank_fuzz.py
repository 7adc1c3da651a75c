"""Property-based: bank files mutated by hypothesis (fields with hostile values, random bytes
flipped, inserted or cut). Whatever the file, the import either stores it whole or refuses it with
its errors and stores nothing; it never raises anything else (a 500 on the page)."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing import services
from invoicing.models import BankStatement, BankTransaction
from tests.invoicing.test_bank_and_reminders import camt
from tests.invoicing.test_bank_coda import statement_with

# Code under test runs in the entity scope of the invoicing fixtures (be_entity).
pytestmark = pytest.mark.entity_scope("be_entity")

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same cases on every run: a failure is reproducible
)

hostile_text = st.one_of(
    st.sampled_from(
        ["NaN", "sNaN", "-Infinity", "1E+20", "1e-9", "-0.00", "0", "12.345", "1_000", "²", ""]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=130),
    st.text(alphabet=st.characters(codec="latin-1"), max_size=40),
)


def import_or_refuse(entity, actor, content: bytes) -> None:
    """Import `content` inside a savepoint rolled back afterwards (examples stay independent)."""
    with transaction.atomic():
        before = (BankStatement.objects.count(), BankTransaction.objects.count())
        try:
            result = services.bank_statement_import(
                entity=entity, actor=actor, file_name="fuzz", content=content
            )
        except services.StatementRejected as error:
            assert error.extra["errors"], "a refusal names what is wrong"
            assert (BankStatement.objects.count(), BankTransaction.objects.count()) == before
        else:
            stored = BankTransaction.objects.filter(statement=result.statement)
            assert stored.count() == result.created
            for amount in stored.values_list("amount", flat=True):
                assert amount == amount.quantize(Decimal("0.01"))
        transaction.set_rollback(True)


@pytest.mark.django_db
@FUZZ
@given(
    amount=hostile_text,
    reference=hostile_text,
    sign=st.sampled_from(["CRDT", "DBIT", "", "XXXX"]),
    remittance=hostile_text,
)
def test_camt_fields_with_hostile_values(
    be_entity, accountant, amount, reference, sign, remittance
):
    content = camt([("REF-OK", "10.00", "CRDT", "fine"), (reference, amount, sign, remittance)])
    import_or_refuse(be_entity, accountant, content)


def mutated(base: bytes, edits) -> bytes:
    data = bytearray(base)
    for position, byte, how in edits:
        position %= len(data) + 1
        if how == "replace" and position < len(data):
            data[position] = byte
        elif how == "insert":
            data.insert(position, byte)
        elif position < len(data):
            del data[position]
    return bytes(data)


edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4000),
        st.integers(min_value=0, max_value=255),
        st.sampled_from(["replace", "insert", "delete"]),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.django_db
@FUZZ
@given(edits=edits)
def test_camt_bytes_mutated(be_entity, accountant, edits):
    base = camt(
        [("REF-1", "1159.20", "CRDT", "+++090/9337/55493+++"), ("REF-2", "12.00", "DBIT", "fees")]
    )
    import_or_refuse(be_entity, accountant, mutated(base, edits))


@pytest.mark.django_db
@FUZZ
@given(edits=edits, bom=st.booleans())
def test_coda_bytes_mutated(be_entity, accountant, edits, bom):
    base = statement_with("240283842818")
    content = mutated(base, edits)
    import_or_refuse(be_entity, accountant, (b"\xef\xbb\xbf" if bom else b"") + content)


@pytest.mark.django_db
@FUZZ
@given(
    line=st.integers(min_value=0, max_value=10),
    position=st.integers(min_value=0, max_value=127),
    text=st.text(alphabet=st.characters(codec="latin-1"), min_size=1, max_size=20),
)
def test_coda_fields_overwritten(be_entity, accountant, line, position, text):
    """A record keeps its 128 characters but a field gets any latin-1 text (NUL, '²', letters in
    amounts, dates like 310299...)."""
    lines = statement_with("240283842818").decode("latin-1").split("\r\n")
    record = lines[line]
    text = text[: 128 - position]
    lines[line] = record[:position] + text + record[position + len(text) :]
    import_or_refuse(be_entity, accountant, "\r\n".join(lines).encode("latin-1"))
