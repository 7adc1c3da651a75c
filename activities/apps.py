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
            NavItem("member", _("Solidarity fund"), "activities:solidarity", "users", order=85)
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
        register(
            NavItem(
                "staff",
                _("Loans"),
                "activities:staff_loans",
                "wallet",
                Permission.DECIDE_LOANS,
                order=24,
            )
        )
        register(
            NavItem(
                "staff",
                _("Budget reconciliation"),
                "activities:staff_reconciliation",
                "list",
                Permission.ADJUST_LEDGER,
                order=26,
            )
        )
        register(
            NavItem(
                "staff",
                _("Solidarity fund"),
                "activities:staff_solidarity",
                "users",
                Permission.DECIDE_SOLIDARITY,
                order=28,
            )
        )
