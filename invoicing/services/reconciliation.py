"""Bank reconciliation: statement import (camt.053 or CODA, parsed by `invoicing.bank`), automatic
and manual matching of credits to invoices.

Lock order when matching by hand: the bank transaction, then the invoice (payment_record).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.payments import payment_reference_clean, payment_reference_find
from smartcoop.core.validators import single_line

from ..models import BankStatement, BankTransaction, Invoice, Payment
from ._shared import OPEN_STATUSES, ZERO
from .payments import payment_record


@dataclass
class ImportResult:
    statement: BankStatement | None
    created: int = 0
    skipped: int = 0
    matched: int = 0
    unmatched: int = 0
    already_imported: bool = False
    errors: list[str] = field(default_factory=list)


# Namespace of the advisory lock taken while a statement is imported (the other key: the entity).
_IMPORT_LOCK = 0x62616E6B  # "bank"


class StatementRejected(ValidationFailed):
    code = "statement_rejected"


def bank_statement_import(
    *, entity: LegalEntity, actor: User | None, file_name: str, content: bytes
) -> ImportResult:
    """Import a camt.053 or CODA statement: all of it or nothing.

    A malformed file raises StatementRejected listing each bad line, and nothing is written.
    The same file twice (same SHA-256) or the same bank entry in another file changes nothing.
    Each new credit is then matched (structured communication, then reference and amount)."""
    from ..bank import BOM, StatementError, check_amount, check_entry, parse_statement

    content = content.removeprefix(BOM)  # the same statement with or without a byte order mark
    digest = hashlib.sha256(content).hexdigest()
    try:
        parsed = parse_statement(content)
        # What the parsers let through must still fit the columns: refused, never cut or rounded.
        problems = [
            f"entry {index} ({entry.bank_reference[:40]}): {problem}"
            for index, entry in enumerate(parsed.entries, start=1)
            for problem in [*check_entry(entry), check_amount(abs(entry.amount))]
            if problem
        ]
        if problems:
            raise StatementError(problems)
    except StatementError as exc:
        raise StatementRejected(
            _("This file is not a bank statement we can import; nothing was imported."),
            extra={"errors": exc.errors},
        ) from None
    file_name = single_line(file_name)[:200]
    with transaction.atomic():
        # One import at a time per entity: a second upload of the same file (a double click, two
        # people) waits for the first, then finds it imported, instead of failing on the unique
        # constraints. The lock ends with the transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_IMPORT_LOCK, entity.pk])
        existing = BankStatement.objects.filter(entity=entity, sha256=digest).first()
        if existing is not None:
            return ImportResult(existing, skipped=len(parsed.entries), already_imported=True)
        statement = BankStatement.objects.create(
            entity=entity,
            format=parsed.format,
            statement_id=parsed.statement_id[:100],
            account_iban=parsed.account_iban,
            file_name=file_name,
            sha256=digest,
            imported_by=actor,
        )
        result = ImportResult(statement)
        known = set(
            BankTransaction.objects.filter(
                entity=entity, bank_reference__in=[e.bank_reference for e in parsed.entries]
            ).values_list("bank_reference", flat=True)
        )
        new_rows = []
        for entry in parsed.entries:
            if entry.bank_reference in known:
                result.skipped += 1
                continue
            known.add(entry.bank_reference)
            new_rows.append(
                BankTransaction(
                    entity=entity,
                    statement=statement,
                    bank_reference=entry.bank_reference,
                    booking_date=entry.booking_date,
                    amount=entry.amount,
                    counterparty_name=entry.counterparty_name[:200],
                    counterparty_iban=entry.counterparty_iban,
                    structured_reference=entry.structured_reference,
                    free_text=entry.free_text[:500],
                    status=BankTransaction.Status.UNMATCHED
                    if entry.amount > 0
                    else BankTransaction.Status.IGNORED,
                )
            )
        BankTransaction.objects.bulk_create(new_rows)
        result.created = len(new_rows)
        audit_log(
            actor=actor,
            action="invoicing.bank_statement.imported",
            target=statement,
            data={"file": file_name, "entries": len(parsed.entries), "new": len(new_rows)},
        )
        from ..bank_hooks import notify_debits

        notify_debits(entity=entity, rows=[row for row in new_rows if row.amount < 0])
        for row in new_rows:
            if row.amount <= 0:
                continue
            invoice = _auto_match(entity=entity, row=row)
            if invoice is None:
                result.unmatched += 1
                continue
            _apply_transaction(row=row, invoice=invoice, actor=actor)
            result.matched += 1
    return result


def _auto_match(*, entity: LegalEntity, row: BankTransaction) -> Invoice | None:
    invoices = Invoice.objects.filter(
        entity=entity, kind=Invoice.Kind.INVOICE, number__isnull=False
    )
    reference = payment_reference_clean(row.structured_reference) or payment_reference_find(
        row.free_text
    )
    if reference:
        found = invoices.filter(structured_communication=reference).first()
        if found is not None:
            return found
    text = f"{row.free_text} {row.structured_reference}".upper()
    for token in {t.strip(".,;:()") for t in text.split()}:
        if len(token) < 6:
            continue
        found = invoices.filter(reference=token, status__in=OPEN_STATUSES).first()
        if found is not None and found.amount_due == row.amount:
            return found
    return None


def _apply_transaction(*, row: BankTransaction, invoice: Invoice, actor: User | None) -> None:
    payment = payment_record(
        invoice=invoice,
        amount=row.amount,
        on=row.booking_date,
        source=Payment.Source.BANK,
        actor=actor,
        bank_transaction=row,
    )
    applied = payment.amount if payment else ZERO
    row.status = BankTransaction.Status.MATCHED
    row.unapplied_amount = row.amount - applied
    row.save(update_fields=["status", "unapplied_amount", "updated_at"])


def bank_transaction_match(
    *, transaction_row: BankTransaction, invoice: Invoice, actor: User | None
) -> None:
    """Manual matching of an unmatched credit to an invoice of the same entity."""
    if invoice.entity_id != transaction_row.entity_id:
        raise PermissionDenied(_("This invoice belongs to another entity."))
    with transaction.atomic():
        row = BankTransaction.objects.select_for_update().get(pk=transaction_row.pk)
        if row.status != BankTransaction.Status.UNMATCHED:
            raise Conflict(_("This bank line is already handled."))
        _apply_transaction(row=row, invoice=invoice, actor=actor)
        audit_log(
            actor=actor,
            action="invoicing.bank_transaction.matched",
            target=invoice,
            data={"bank_reference": row.bank_reference, "amount": row.amount},
        )
