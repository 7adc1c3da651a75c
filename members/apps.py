from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        register(NavItem("member", _("My membership"), "members:member_index", "users", order=10))
        register(
            NavItem(
                "staff",
                _("Members"),
                "members:staff_index",
                "users",
                Permission.VIEW_MEMBERS_OF_OFFICE,
                order=10,
            )
        )
