from django.contrib import admin
from django.http import HttpRequest

from .mfa import user_has_mfa
from .models import AuditLogEntry, LegalEntity, Office, TaskFailure, User
from .roles import Permission, has_permission


def admin_has_permission(request: HttpRequest) -> bool:
    """Django's admin is for administrators only, and only once they use MFA."""
    user = request.user
    return has_permission(user, Permission.USE_ADMIN) and user_has_mfa(user)


admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]
admin.site.site_header = "smartcoop administration"


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_cooperative",
        "is_employer",
        "enterprise_number",
        "city",
        "is_active",
    ]
    list_filter = ["is_cooperative", "is_employer", "is_active"]
    search_fields = ["name", "enterprise_number"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "postcode_ranges"]
    search_fields = ["name", "city"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "role", "office", "is_active"]
    list_filter = ["role", "office", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    exclude = ["password", "groups", "user_permissions"]
    filter_horizontal = ["entities"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "entity", "target_type", "target_id"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the audit trail is append-only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    list_display = ["created_at", "task_name", "task_id", "resolved_at"]
