from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        register(
            NavItem("member", _("My Activities"), "activities:member_index", "briefcase", order=20)
        )
        register(
            NavItem(
                "staff",
                _("Activities"),
                "activities:staff_index",
                "briefcase",
                Permission.VALIDATE_ACTIVITIES,
                order=20,
            )
        )
