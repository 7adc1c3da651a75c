"""Read-only admin of Activities: every change goes through the services (audit, ledger), so the
admin is for looking, not for editing money."""

from django.contrib import admin

from .models import (
    Activity,
    EmploymentContract,
    ExpenseClaim,
    LedgerEntry,
    Loan,
    SolidarityRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["name", "entity", "coordinator", "status", "sector"]
    list_filter = ["status", "sector", "entity"]
    search_fields = ["name"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["booked_on", "activity", "kind", "amount", "source_type", "source_id"]
    list_filter = ["kind"]
    date_hierarchy = "booked_on"


@admin.register(EmploymentContract)
class EmploymentContractAdmin(ReadOnlyAdmin):
    list_display = ["member", "activity", "contract_type", "start_date", "end_date", "status"]
    list_filter = ["status", "contract_type", "tool"]


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(ReadOnlyAdmin):
    list_display = ["title", "activity", "total", "status"]
    list_filter = ["status"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["activity", "amount", "months", "repaid", "status"]
    list_filter = ["status"]


@admin.register(SolidarityRequest)
class SolidarityRequestAdmin(ReadOnlyAdmin):
    # Confidential: the admin shows the figures, never the member's explanation.
    list_display = ["created_at", "reason", "amount_requested", "amount_granted", "status"]
    list_filter = ["status", "reason"]
    exclude = ["explanation"]
