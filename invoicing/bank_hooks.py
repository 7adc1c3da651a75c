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
