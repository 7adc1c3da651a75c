from decimal import Decimal

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
        _register_notification_kinds()

        from smartcoop.core.dashboard import Panel, register_panel
        from smartcoop.core.next_steps import register_dashboard_steps

        register_dashboard_steps("activities", _activity_steps, order=20)
        register_panel(
            Panel(
                "member",
                "budget",
                _("Budget of my Activities, last six months"),
                "activities/partials/dashboard_budget.html",
                _budget_panel,
                order=10,
            )
        )

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


def _activity_steps(request) -> list:
    """Create an Activity, wait for its validation, pay yourself from its budget."""
    from django.urls import reverse

    from members.selectors import member_of_request
    from smartcoop.core.money import format_money
    from smartcoop.core.next_steps import Step

    from .models import Activity

    member = member_of_request(request)
    if member is None or member.member_number is None:
        return []  # joining comes first (members' steps)
    activities = _member_activities(request)
    if not activities:
        return [
            Step(
                _("Create your first Activity"),
                reverse("activities:create"),
                _("What you do and for which entity; your adviser validates it."),
            )
        ]
    steps = [
        Step(
            _("Your Activity “%(name)s” waits for your adviser's validation")
            % {"name": activity.name},
            reverse("activities:detail", args=[activity.public_id]),
            state="waiting",
        )
        for activity in activities
        if activity.status == Activity.Status.DRAFT
    ]
    for activity in activities:
        available: Decimal = getattr(activity, "available", Decimal(0))  # with_budget
        if activity.status == Activity.Status.ACTIVE and available > 0:
            steps.append(
                Step(
                    _("Pay yourself from “%(name)s”") % {"name": activity.name},
                    reverse("activities:salary_request", args=[activity.public_id]),
                    _("%(amount)s available now.") % {"amount": format_money(available)},
                )
            )
            break
    return steps


def _budget_panel(request) -> dict | None:
    """A small chart of the member's Activities' budget (summed), month by month."""
    from django.utils import timezone

    from . import charts
    from .models import Activity
    from .selectors import member_months

    activities = [a for a in _member_activities(request) if a.status == Activity.Status.ACTIVE]
    if not activities:
        return None
    months = member_months(activities=activities, today=timezone.localdate(), months=6)
    return {
        "chart": charts.budget_chart(months, width=560, height=200),
        "months": months,
        "activities": activities,
    }


def _register_notification_kinds() -> None:
    from smartcoop.core.notifications import MEMBERS, NotificationKind, register_kind

    register_kind(
        NotificationKind(
            "activities.contract_validated",
            _("One of my contracts is validated"),
            _("Your contract as %(function)s from %(start)s (gross %(gross)s) is validated."),
            money=("gross",),
            dates=("start",),
            order=10,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "activities.expense_approved",
            _("An expense claim is approved"),
            _("Your expense claim “%(title)s” is approved: %(total)s is reimbursed."),
            money=("total",),
            order=20,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "activities.expense_refused",
            _("An expense claim is refused"),
            _("Your expense claim “%(title)s” is refused: %(reason)s"),
            money=("total",),
            order=21,
            audience=MEMBERS,
        )
    )


def _member_activities(request) -> list:
    """The Activities of the member of this request with their budget figures, read once per
    request for the dashboard's figure, steps and chart (three queries were one)."""
    from members.selectors import member_of_request

    from .selectors import activity_list_for_member

    if not hasattr(request, "_smartcoop_activities"):
        member = member_of_request(request)
        request._smartcoop_activities = (
            [] if member is None else list(activity_list_for_member(member=member))
        )
    return request._smartcoop_activities


def _available_now(request):
    """The sum of what the member may pay themselves now, over their Activities."""
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .models import Activity

    active = [a for a in _member_activities(request) if a.status == Activity.Status.ACTIVE]
    if not active:
        return None
    total = sum((a.available for a in active), Decimal("0.00"))
    return Figure(
        total, url=reverse("activities:member_index"), money=True, tone="bad" if total < 0 else ""
    )


def _staff_count(request, queryset_of, url_name: str = "activities:staff_index"):
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure
    from smartcoop.core.roles import Permission, has_permission
    from smartcoop.core.tenancy import current_entity

    entity = current_entity(request)
    if entity is None:
        return None
    count = queryset_of(request.user, entity).count()
    # The queues page is for those who validate Activities; a payroll officer sees the figure
    # without a link that would answer 404 (the contract queue is open to both).
    url = (
        reverse(url_name)
        if url_name != "activities:staff_index"
        or has_permission(request.user, Permission.VALIDATE_ACTIVITIES)
        else ""
    )
    return Figure(count, url=url, tone="warn" if count else "ok")


def _contracts_to_validate(request):
    from .selectors import contracts_to_validate

    return _staff_count(
        request,
        lambda user, entity: contracts_to_validate(user=user, entity=entity),
        url_name="activities:staff_contracts",  # its permission is the widget's
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
