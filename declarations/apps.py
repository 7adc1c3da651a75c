from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Social declarations")

    def ready(self) -> None:
        from activities.contract_events import register_contract_listener, register_contract_status
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        from .hooks import contract_status, on_contract_event

        register_contract_listener(on_contract_event)
        register_contract_status(contract_status)
        register(
            NavItem(
                "staff",
                _("Declarations"),
                "declarations:queue",
                "wallet",
                Permission.SUBMIT_DECLARATIONS,
                order=45,
            )
        )
