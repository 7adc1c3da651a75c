"""Read-mostly admin for administrators. Changes go through the pages (services, audit); the
admin never shows national numbers or IBANs, and never edits the register."""

from django.contrib import admin

from .models import InfoSession, Member, RegisterEntry, ShareSubscription


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "member_number", "status", "office", "adviser", "created_at"]
    list_filter = ["status", "kind", "office", "sector"]
    search_fields = ["last_name", "first_name", "legal_name", "email", "member_number"]
    list_select_related = ["office", "adviser"]
    exclude = ["national_number", "national_number_index", "iban"]
    readonly_fields = ["member_number", "status", "user", "joined_on", "left_on"]
    show_full_result_count = False


@admin.register(InfoSession)
class InfoSessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "language", "mode", "office", "capacity", "cancelled_at"]
    list_filter = ["language", "mode"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ShareSubscription)
class ShareSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["member", "shares", "category", "amount", "status", "paid_on"]
    list_filter = ["status", "category"]
    list_select_related = ["member"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ["entry_date", "member", "kind", "category", "shares", "amount"]
    list_filter = ["kind", "category"]
    list_select_related = ["member"]
