"""Listeners of imported bank debits. An app that is not below invoicing (payroll: its salary
batches leave the account as debits) registers a function here when it starts; the statement
import calls each one inside its transaction with the entity and the new debit lines, so
invoicing imports nothing of it."""

from __future__ import annotations

from collections.abc import Callable

DebitListener = Callable[..., None]
_listeners: list[DebitListener] = []


def register_debit_listener(listener: DebitListener) -> None:
    """`listener(*, entity, rows)` with the new BankTransaction rows whose amount is negative."""
    if listener not in _listeners:
        _listeners.append(listener)


def notify_debits(*, entity, rows) -> None:
    if rows:
        for listener in _listeners:
            listener(entity=entity, rows=rows)


def debit_find(*, entity, bank_reference: str):
    """The imported debit line of `entity` with this bank reference (the bank's own reference
    of the entry, shown on the bank page), or None: for an app that matches one of its debits
    by hand when the bank's text does not name it (payroll's salary batches)."""
    from .models import BankTransaction

    return BankTransaction.objects.filter(
        entity=entity, bank_reference=bank_reference.strip(), amount__lt=0
    ).first()
