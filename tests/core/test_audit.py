import logging

import pytest
from django.db import transaction

from smartcoop.core.audit import audit_log
from smartcoop.core.logging import RedactSensitiveData, redact
from smartcoop.core.models import AuditLogEntry


@pytest.mark.django_db
def test_audit_rows_mask_national_numbers_ibans_and_secrets(admin_user, entity):
    row = audit_log(
        actor=admin_user,
        action="core.entity.updated",
        target=entity,
        data={
            "iban": "BE68539007547034",
            "national_number": "85073003328",
            "name": "Smart",
            "nested": {"password": "hunter2-hunter2"},
        },
    )
    row.refresh_from_db()
    assert row.data["name"] == "Smart"
    assert row.data["iban"].endswith("7034") and "BE6853" not in row.data["iban"]
    assert "850730" not in row.data["national_number"]
    assert "hunter2" not in str(row.data["nested"])
    assert row.entity_id == entity.pk
    assert row.target_id == str(entity.public_id)


@pytest.mark.django_db(transaction=True)
def test_an_audit_row_disappears_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=None, action="invoicing.invoice.issued", data={})
        raise RuntimeError("the change failed")
    assert not AuditLogEntry.objects.filter(action="invoicing.invoice.issued").exists()


def test_logs_never_carry_national_numbers_or_ibans():
    assert redact("paid to BE68 5390 0754 7034 by 85.07.30-033.28") == (
        "paid to [IBAN] by [NATIONAL-NUMBER]"
    )
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "member %s", ("85073003328",), None)
    RedactSensitiveData().filter(record)
    assert record.getMessage() == "member [NATIONAL-NUMBER]"
