"""The field-encryption keys rotate without losing what they protect: values still read back, a
national number registered before the rotation is still refused as a duplicate, and the
payers' IBANs of bank statements are encrypted at rest like members'."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from members import services
from members.models import Member
from smartcoop.core.errors import ValidationFailed
from tests.factories import LegalEntityFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
NUMBER = "85.07.30-033.28"


def identity(number: str) -> dict:
    return {
        "kind": Member.Kind.PERSON,
        "first_name": "Lena",
        "last_name": "Janssens",
        "birth_date": date(1985, 7, 30),
        "national_number": number,
        "street": "Koolmijnenkaai 30",
        "postcode": "1080",
        "city": "Brussel",
        "country": "be",
        "on": date(2026, 11, 26),
    }


def newcomer(email: str) -> Member:
    return services.member_start_onboarding(user=UserFactory(email=email))


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_after_a_key_rotation_a_known_national_number_is_still_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    first = newcomer("first@example.org")
    services.member_save_identity(member=first, actor=first.user, **identity(NUMBER))
    stored_before = raw("members_member", "national_number", first.pk)

    # Rotation as documented: the new key first, the old one kept.
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    first.refresh_from_db()
    assert first.national_number == "85073003328"  # still reads back
    second = newcomer("second@example.org")
    with pytest.raises(ValidationFailed, match="already registered") as refused:
        services.member_save_identity(
            member=second, actor=second.user, **identity("85 07 30 033 28")
        )
    assert refused.value.code == "duplicate_national_number"
    second.refresh_from_db()
    assert second.national_number == ""  # nothing stored

    # Re-encrypting with the new key, then dropping the old one: still found, still refused.
    call_command("reencrypt_fields", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert raw("members_member", "national_number", first.pk) != stored_before
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    first.refresh_from_db()
    assert first.national_number == "85073003328"
    with pytest.raises(ValidationFailed, match="already registered"):
        services.member_save_identity(member=second, actor=second.user, **identity(NUMBER))
    # The owner may still save their own number again.
    services.member_save_identity(member=first, actor=first.user, **identity(NUMBER))


def test_without_the_rotation_procedure_the_old_key_alone_cannot_read_new_values(settings):
    """The keys matter: a value written under the new key is not readable with the old only."""
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    member = newcomer("third@example.org")
    services.member_save_identity(member=member, actor=member.user, **identity(NUMBER))
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    from cryptography.fernet import InvalidToken

    with pytest.raises(InvalidToken):
        Member.objects.get(pk=member.pk)


def bank_line(entity, *, iban: str):
    from invoicing.models import BankStatement, BankTransaction

    statement = BankStatement.objects.create(
        entity=entity, format="camt053", statement_id="S-1", sha256="a" * 64
    )
    return BankTransaction.objects.create(
        entity=entity,
        statement=statement,
        bank_reference="REF-1",
        booking_date=date(2026, 11, 26),
        amount=Decimal("121.00"),
        counterparty_name="Studio Noord",
        counterparty_iban=iban,
    )


def test_payers_ibans_of_bank_lines_are_encrypted_at_rest():
    entity = LegalEntityFactory()
    row = bank_line(entity, iban="BE68539007547034")
    stored = raw("invoicing_banktransaction", "counterparty_iban", row.pk)
    assert "BE68" not in stored and "539007547034" not in stored
    row.refresh_from_db()
    assert row.counterparty_iban == "BE68539007547034"


def test_the_migration_encrypts_ibans_stored_in_clear_and_can_run_twice():
    entity = LegalEntityFactory()
    row = bank_line(entity, iban="BE68539007547034")
    with connection.cursor() as cursor:  # as a row imported before the migration
        cursor.execute(
            "UPDATE invoicing_banktransaction SET counterparty_iban = %s WHERE id = %s",
            ["BE68539007547034", row.pk],
        )
    migration = importlib.import_module("invoicing.migrations.0013_encrypt_bank_counterparty_ibans")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.encrypt_existing(None, editor)
    once = raw("invoicing_banktransaction", "counterparty_iban", row.pk)
    assert "BE68" not in once
    migration.encrypt_existing(None, editor)  # rerun: left alone, not encrypted twice
    assert raw("invoicing_banktransaction", "counterparty_iban", row.pk) == once
    row.refresh_from_db()
    assert row.counterparty_iban == "BE68539007547034"
