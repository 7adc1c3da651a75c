"""`bulk_copy` (COPY for a pay run's batches) stores exactly what `bulk_create` stores: the
rows written both ways read back the same, field by field (the plain fields it writes
straight as well as the encrypted, JSON, defaulted and date-time ones it leaves to Django)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from members.models import Member
from smartcoop.core.bulk import bulk_copy
from smartcoop.core.models import AuditLogEntry


def _members(tag: str, base: int) -> list[Member]:
    return [
        Member(
            member_number=base + n,
            first_name="Ann",
            last_name=f"Bulk {n}",
            email=f"{tag}{n}@bulk.example",
            status=Member.Status.ACTIVE,
            iban="BE68539007547034" if n % 2 else "",
            national_number=f"85{n:09d}",
            birth_date=dt.date(1985, 1, n),
        )
        for n in range(1, 4)
    ]


@pytest.mark.django_db
def test_bulk_copy_stores_what_bulk_create_stores():
    with transaction.atomic():
        copied = _members("c", 970_000)
        bulk_copy(Member, copied)
        created = Member.objects.bulk_create(_members("b", 980_000))
    ignore = {"id", "email", "member_number", "public_id", "created_at", "updated_at", "user"}
    for mine, theirs in zip(copied, created, strict=True):
        assert mine.pk is not None
        stored = model_to_dict(Member.objects.get(pk=mine.pk), exclude=ignore)
        expected = model_to_dict(Member.objects.get(pk=theirs.pk), exclude=ignore)
        assert stored == expected
        assert Member.objects.get(pk=mine.pk).iban == mine.iban  # encrypted, read back
    entries = [
        AuditLogEntry(action="bench.copied", target_id="x", data={"amount": str(Decimal("1.10"))})
    ]
    with transaction.atomic():
        bulk_copy(AuditLogEntry, entries)
    entry = AuditLogEntry.objects.get(pk=entries[0].pk)
    assert entry.data == {"amount": "1.10"} and entry.created_at is not None


@pytest.mark.django_db
def test_audit_copy_writes_the_rows_audit_log_writes_with_secrets_masked():
    from smartcoop.core.audit import audit_copy, audit_log
    from tests.factories import staff_user

    officer = staff_user("payroll_officer")
    members = _members("a", 990_000)
    with transaction.atomic():
        bulk_copy(Member, members)
        audit_copy(
            actor=officer,
            action="bench.bulk",
            entries=[(m, {"iban": "BE68539007547034", "n": 1}) for m in members],
        )
        audit_log(actor=officer, action="bench.one", target=members[0],
                  data={"iban": "BE68539007547034", "n": 1})  # fmt: skip
    one = AuditLogEntry.objects.get(action="bench.one")
    rows = AuditLogEntry.objects.filter(action="bench.bulk").order_by("pk")
    assert [r.target_id for r in rows] == [str(m.public_id) for m in members]
    for row in rows:
        assert (row.actor, row.entity_id, row.target_type, row.data) == (
            one.actor, one.entity_id, one.target_type, one.data
        )  # fmt: skip
    assert "7034" in one.data["iban"] and "BE68" not in one.data["iban"]
