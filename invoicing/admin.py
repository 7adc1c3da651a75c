from django.contrib import admin

from .models import BankStatement, Client, Invoice, Transmission


class ReadOnlyAdmin(admin.ModelAdmin):
    """Invoicing rows change only through services (audit, numbering, immutability)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "country", "vat_number", "entity"]
    search_fields = ["name", "vat_number", "enterprise_number"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "status", "client", "total_incl_vat", "due_date", "entity"]
    list_filter = ["kind", "status"]
    search_fields = ["reference", "client__name", "structured_communication"]


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ["statement_id", "format", "file_name", "created_at", "entity"]


@admin.register(Transmission)
class TransmissionAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "channel", "state", "attempts", "updated_at"]
    list_filter = ["channel", "state"]
