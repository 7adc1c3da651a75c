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

        from . import member_file

        member_file.register()

        from smartcoop.core.dashboard import Widget, register_widget

        register_widget(
            Widget("member", "available", _("Available to pay now"), _available_now, order=20)
        )
        register_widget(
            Widget(
                "staff",
                "contracts_to_validate",
                _("Contracts to validate"),
                _contracts_to_validate,
                Permission.VALIDATE_CONTRACTS,
                order=20,
            )
        )
        register_widget(
            Widget(
                "staff",
                "expenses_to_approve",
                _("Expense claims to approve"),
                _expenses_to_approve,
                Permission.APPROVE_EXPENSES,
                order=21,
            )
        )


def _available_now(request):
    """The sum of what the member may pay themselves now, over their Activities."""
    from django.db.models import Sum
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .selectors import activity_list_for_member, member_of_user

    member = member_of_user(request.user)
    if member is None:
        return None
    activities = activity_list_for_member(member=member).filter(status="active")
    total = activities.aggregate(total=Sum("available"))["total"]
    if total is None:
        return None
    return Figure(
        total, url=reverse("activities:member_index"), money=True, tone="bad" if total < 0 else ""
    )


def _staff_count(request, queryset_of):
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure
    from smartcoop.core.tenancy import current_entity

    entity = current_entity(request)
    if entity is None:
        return None
    count = queryset_of(request.user, entity).count()
    return Figure(count, url=reverse("activities:staff_index"), tone="warn" if count else "ok")


def _contracts_to_validate(request):
    from .models import EmploymentContract
    from .selectors import contract_list_for_staff

    return _staff_count(
        request,
        lambda user, entity: contract_list_for_staff(user=user, entity=entity).filter(
            status=EmploymentContract.Status.DRAFT
        ),
    )


def _expenses_to_approve(request):
    from .models import ExpenseClaim
    from .selectors import expense_claim_list_for_staff

    return _staff_count(
        request,
        lambda user, entity: expense_claim_list_for_staff(user=user, entity=entity).filter(
            status=ExpenseClaim.Status.SUBMITTED
        ),
    )
