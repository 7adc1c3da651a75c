"""Encrypt the payers' IBANs already stored in clear (bank lines imported before 0012).
Rerunnable: a value that is already a token of one of our keys is left alone."""

from django.db import migrations

BATCH = 1000


def encrypt_existing(apps, schema_editor):
    from smartcoop.core.fields import _fernet, is_encrypted

    fernet = _fernet()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, counterparty_iban FROM invoicing_banktransaction "
            "WHERE counterparty_iban <> '' ORDER BY id"
        )
        rows = [(pk, value) for pk, value in cursor.fetchall() if not is_encrypted(value)]
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                "UPDATE invoicing_banktransaction SET counterparty_iban = %s WHERE id = %s",
                [
                    (fernet.encrypt(value.encode()).decode(), pk)
                    for pk, value in rows[start : start + BATCH]
                ],
            )


def decrypt_back(apps, schema_editor):
    from smartcoop.core.fields import _fernet, is_encrypted

    fernet = _fernet()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, counterparty_iban FROM invoicing_banktransaction "
            "WHERE counterparty_iban <> ''"
        )
        for pk, value in cursor.fetchall():
            if is_encrypted(value):
                cursor.execute(
                    "UPDATE invoicing_banktransaction SET counterparty_iban = %s WHERE id = %s",
                    [fernet.decrypt(value.encode()).decode()[:34], pk],
                )


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0012_bank_counterparty_iban_encrypted")]

    operations = [migrations.RunPython(encrypt_existing, decrypt_back, elidable=False)]
