"""Admin of the declarations app: only what a French entity's DSN needs beyond the entity itself
(its DSN settings). Every change is audited; declarations move only through the services."""

from django.contrib import admin

from smartcoop.core.audit import audit_log

from .models import DsnSettings


@admin.register(DsnSettings)
class DsnSettingsAdmin(admin.ModelAdmin):
    list_display = ["entity", "naf_code", "urssaf_id", "retirement_id", "test_mode"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action="declarations.dsn_settings.saved",
            target=obj,
            data={"changed": sorted(form.changed_data)},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
