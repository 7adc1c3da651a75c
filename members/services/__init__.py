"""Writes of the members app. Each public function is one atomic action: it validates, changes
the rows, writes an audit entry in the same transaction, and leaves e-mails and PDF rendering to
after the commit (tasks). National numbers and IBANs never appear in audit data or logs.

What lives where (callers use the package: `from members import services`):

- `onboarding`: identity, bank account, profile, consent.
- `status`: becoming active, adviser assignment.
- `shares`: subscriptions, payments, certificates, transfers, leaving.
- `info_sessions`: information sessions and their bookings.
- `appointments`: appointments with an adviser.
- `gdpr`: erasure requests.
- `_shared`: series names, the member lock and helpers used across these modules.
"""

from ._shared import (
    MEMBER_SERIES,
    NO_YEAR,
    SHARE_PAYMENT_SERIES,
    SHARE_REFERENCE_BASE,
)
from .appointments import (
    appointment_book,
    appointment_cancel,
    appointment_save_notes,
    appointment_slot_create,
)
from .gdpr import (
    member_erasure_process,
    member_erasure_request,
)
from .info_sessions import (
    info_session_book,
    info_session_booking_cancel,
    info_session_create,
    info_session_record_attendance,
    info_session_send_reminders,
)
from .onboarding import (
    member_give_consent,
    member_save_bank,
    member_save_identity,
    member_save_profile,
    member_start_onboarding,
    privacy_notice_version,
)
from .shares import (
    allowed_categories,
    member_leave,
    share_certificate_generate,
    share_payment_confirm,
    share_subscribe,
    share_subscription_cancel,
    share_transfer,
)
from .status import (
    member_assign,
    member_mark_active,
)

__all__ = [
    "MEMBER_SERIES",
    "NO_YEAR",
    "SHARE_PAYMENT_SERIES",
    "SHARE_REFERENCE_BASE",
    "allowed_categories",
    "appointment_book",
    "appointment_cancel",
    "appointment_save_notes",
    "appointment_slot_create",
    "info_session_book",
    "info_session_booking_cancel",
    "info_session_create",
    "info_session_record_attendance",
    "info_session_send_reminders",
    "member_assign",
    "member_erasure_process",
    "member_erasure_request",
    "member_give_consent",
    "member_leave",
    "member_mark_active",
    "member_save_bank",
    "member_save_identity",
    "member_save_profile",
    "member_start_onboarding",
    "privacy_notice_version",
    "share_certificate_generate",
    "share_payment_confirm",
    "share_subscribe",
    "share_subscription_cancel",
    "share_transfer",
]
