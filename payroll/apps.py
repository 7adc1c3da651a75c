from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll")

    def ready(self) -> None:
        from activities.net_estimators import register_net_estimator
        from smartcoop.core.navigation import NavItem, register

        from .estimates import estimate_net

        register_net_estimator(estimate_net)
        from invoicing.bank_hooks import register_debit_listener

        from .runs.bank import salary_debits_imported

        register_debit_listener(salary_debits_imported)
        from smartcoop.core.roles import Permission

        from .runs import tasks as _run_tasks  # noqa: F401  (registers the pay-run tasks)

        register(NavItem("member", _("Payslips"), "payroll:member_index", "wallet", order=40))
        register(
            NavItem(
                "staff",
                _("Payroll"),
                "payroll:staff_index",
                "wallet",
                Permission.RUN_PAYROLL,
                order=40,
            )
        )
