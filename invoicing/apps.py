from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self) -> None:
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        register(NavItem("member", _("Invoices"), "invoicing:member_index", "file", order=30))
        register(NavItem("member", _("Quotes"), "invoicing:member_quotes", "list", order=29))
        register(NavItem("member", _("Clients"), "invoicing:member_clients", "user", order=31))
        register(
            NavItem(
                "staff",
                _("Invoicing"),
                "invoicing:staff_index",
                "file",
                Permission.VIEW_INVOICES,
                order=30,
            )
        )
        register(
            NavItem(
                "staff",
                _("Bank statements"),
                "invoicing:staff_bank",
                "list",
                Permission.IMPORT_BANK_STATEMENTS,
                order=31,
            )
        )
