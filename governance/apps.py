from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        register(
            NavItem("member", _("General assembly"), "governance:member_index", "vote", order=50)
        )
        register(
            NavItem(
                "staff",
                _("Governance"),
                "governance:staff_index",
                "vote",
                Permission.MANAGE_ASSEMBLIES,
                order=50,
            )
        )
