from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyfiguresConfig(AppConfig):
    name = "keyfigures"
    verbose_name = _("Key figures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        register(
            NavItem(
                "staff",
                _("Key figures"),
                "keyfigures:index",
                "pulse",
                Permission.VIEW_OFFICE_KEY_FIGURES,
                order=80,
            )
        )
        from . import dashboard

        dashboard.register()
