"""Invoicing writes. Each top-level service owns one short transaction, writes an audit row and
enqueues its external effects (documents, e-mails, e-invoice transmission) after commit.

Lock order, everywhere: a bank transaction (manual matching), then the original invoice (credit
notes), then the document being issued or paid (`SELECT … FOR UPDATE OF invoice`), then the
deposit invoices a final invoice deducts (by id), then the number sequence row (number_allocate), then what activities locks (the Activity row when a
payment credits it, the Member row when the Contract tool creates a contract). Never the other
way round.

What lives where (callers use the package: `from invoicing import services`):

- `clients`: client creation and duplicates.
- `invoices`: drafts, the VAT decision and override, submit/approve, issue (snapshot, mentions,
  numbering), the status of an issued invoice, the Contract tool (`performance_declare`), credit
  notes.
- `payments`: payments, payment links, client messages and disputes, collection status, payment
  plans.
- `reconciliation`: bank statement import and matching (the parser is `invoicing.bank`).
- `reminders`: reminder levels, policies and the law's bounds, the daily run.
- `transmissions`: the e-invoice transmission state machine.
- `quotes`: quotes, their link, the client's decision, the invoice of an accepted quote.
- `_shared`: helpers used across these modules and the boundary with the activities app.
"""

from smartcoop.core.errors import ApplicationError

from ._shared import OPEN_STATUSES, ZERO
from .clients import client_create
from .invoices import (
    LineData,
    credit_note_create,
    invoice_approve,
    invoice_draft_save,
    invoice_issue,
    invoice_submit,
    invoice_vat_override,
    performance_declare,
)
from .payments import (
    LINK_SALT,
    PLAN_GRACE_DAYS,
    DeadLink,
    client_message_create,
    invoice_collection_set,
    invoice_dispute_resolve,
    payment_link_dead_end,
    payment_link_resolve,
    payment_link_revoke,
    payment_link_token,
    payment_link_url,
    payment_plan_create,
    payment_plans_check,
    payment_record,
)
from .quotes import (
    QUOTE_SALT,
    quote_create,
    quote_decide,
    quote_link_dead_end,
    quote_link_resolve,
    quote_link_token,
    quote_send,
    quote_to_invoice,
)
from .reconciliation import (
    ImportResult,
    StatementRejected,
    bank_statement_import,
    bank_transaction_match,
)
from .reminders import (
    LEVEL_STEPS,
    POLICY_FIELDS,
    REMINDER_LEVELS,
    ReminderLevel,
    reminder_bounds,
    reminder_mark_posted,
    reminder_pack_levels,
    reminder_policy_delete,
    reminder_policy_levels,
    reminder_policy_save,
    reminders_run,
)
from .transmissions import (
    transmission_claim,
    transmission_create,
    transmission_finish,
    transmissions_sweep,
)

__all__ = [
    "LEVEL_STEPS",
    "LINK_SALT",
    "OPEN_STATUSES",
    "PLAN_GRACE_DAYS",
    "POLICY_FIELDS",
    "QUOTE_SALT",
    "REMINDER_LEVELS",
    "ZERO",
    "ApplicationError",
    "DeadLink",
    "ImportResult",
    "LineData",
    "ReminderLevel",
    "StatementRejected",
    "bank_statement_import",
    "bank_transaction_match",
    "client_create",
    "client_message_create",
    "credit_note_create",
    "invoice_approve",
    "invoice_collection_set",
    "invoice_dispute_resolve",
    "invoice_draft_save",
    "invoice_issue",
    "invoice_submit",
    "invoice_vat_override",
    "payment_link_dead_end",
    "payment_link_resolve",
    "payment_link_revoke",
    "payment_link_token",
    "payment_link_url",
    "payment_plan_create",
    "payment_plans_check",
    "payment_record",
    "performance_declare",
    "quote_create",
    "quote_decide",
    "quote_link_dead_end",
    "quote_link_resolve",
    "quote_link_token",
    "quote_send",
    "quote_to_invoice",
    "reminder_bounds",
    "reminder_mark_posted",
    "reminder_pack_levels",
    "reminder_policy_delete",
    "reminder_policy_levels",
    "reminder_policy_save",
    "reminders_run",
    "transmission_claim",
    "transmission_create",
    "transmission_finish",
    "transmissions_sweep",
]
