"""Writes of Activities: one transaction each, one audit row per change, ApplicationErrors that
say why with the figures involved.

Lock order (whenever several are taken): Activity rows (by id) → Member row → Loan row. The
Activity row is the budget's lock: every service that checks "available" and then spends holds
it, so two requests cannot both spend the same euro.

Services invoicing and payroll call (documented in README "Activities and contracts"):
`activity_credit_client_payment`, `activity_reverse_source`, `contract_create_for_performance`,
`contract_cancel`, `contract_mark_performed`, `contract_mark_paid`.

What lives where (callers use the package: `from activities import services`):

- `activities`: the Activity's life, its members and rights, the reserve.
- `ledger`: ledger entries, client-payment credits, reversals, adjustments, purchases, transfers.
- `contracts`: employment contracts and their status machine, posting, interruptions.
- `expenses`: expense claims and their lines.
- `loans`: loans, instalments, early repayment.
- `solidarity`: the solidarity fund.
- `_shared`: the Activity lock and helpers used across these modules.
"""

from ._shared import (
    ZERO,
    K,
)
from .activities import (
    activity_close,
    activity_create,
    activity_member_remove,
    activity_member_set,
    activity_reactivate,
    activity_set_reserve,
    activity_suspend,
    activity_validate,
)
from .contracts import (
    contract_cancel,
    contract_change_dates,
    contract_close,
    contract_create_for_performance,
    contract_declare,
    contract_declare_by_hand,
    contract_mark_paid,
    contract_mark_performed,
    contract_posting_document_add,
    contract_record_interruption,
    contract_request_salary,
    contract_set_executive_status,
    contract_set_joint_committee,
    contract_update_posting,
    contract_validate,
    contracts_default_joint_committee,
    contracts_mark_paid,
    contracts_validate,
)
from .expenses import (
    expense_claim_approve,
    expense_claim_create,
    expense_claim_reject,
    expense_claim_submit,
    expense_line_add,
    expense_line_remove,
)
from .ledger import (
    ClientPaymentBooking,
    activity_credit_client_payment,
    activity_reverse_source,
    activity_transfer,
    ledger_adjust,
    ledger_entry_reverse,
    ledger_record_purchase,
)
from .loans import (
    loan_apply,
    loan_collect_instalment,
    loan_decide,
    loan_disburse,
    loan_repay_early,
)
from .solidarity import (
    solidarity_request_decide,
    solidarity_request_mark_paid,
    solidarity_request_submit,
)

__all__ = [
    "ZERO",
    "ClientPaymentBooking",
    "K",
    "activity_close",
    "activity_create",
    "activity_credit_client_payment",
    "activity_member_remove",
    "activity_member_set",
    "activity_reactivate",
    "activity_reverse_source",
    "activity_set_reserve",
    "activity_suspend",
    "activity_transfer",
    "activity_validate",
    "contract_cancel",
    "contract_change_dates",
    "contract_close",
    "contract_create_for_performance",
    "contract_declare",
    "contract_declare_by_hand",
    "contract_mark_paid",
    "contract_mark_performed",
    "contract_posting_document_add",
    "contract_record_interruption",
    "contract_request_salary",
    "contract_set_executive_status",
    "contract_set_joint_committee",
    "contract_update_posting",
    "contract_validate",
    "contracts_default_joint_committee",
    "contracts_mark_paid",
    "contracts_validate",
    "expense_claim_approve",
    "expense_claim_create",
    "expense_claim_reject",
    "expense_claim_submit",
    "expense_line_add",
    "expense_line_remove",
    "ledger_adjust",
    "ledger_entry_reverse",
    "ledger_record_purchase",
    "loan_apply",
    "loan_collect_instalment",
    "loan_decide",
    "loan_disburse",
    "loan_repay_early",
    "solidarity_request_decide",
    "solidarity_request_mark_paid",
    "solidarity_request_submit",
]
