from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from smartcoop.core.models import User


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.roles import Permission

        P = Permission
        for item in (
            NavItem("member", _("My membership"), "members:member_index", "users", order=10),
            NavItem("member", _("Information sessions"), "members:sessions", "list", order=11),
            NavItem("member", _("Appointments"), "members:appointments", "user", order=12),
            NavItem("member", _("My data"), "members:privacy", "file", order=95),
            NavItem("staff", _("Members"), "members:staff_index", "users", P.BACKOFFICE_ACCESS, 10),
            NavItem(
                "staff",
                _("Share payments"),
                "members:staff_payments",
                "wallet",
                P.CONFIRM_SHARE_PAYMENTS,
                11,
            ),
            NavItem(
                "staff",
                _("Register of members"),
                "members:staff_register",
                "file",
                P.VIEW_ALL_MEMBERS,
                12,
            ),
            NavItem(
                "staff",
                _("Information sessions"),
                "members:staff_sessions",
                "list",
                P.MANAGE_INFO_SESSIONS,
                13,
            ),
            NavItem(
                "staff",
                _("Appointments"),
                "members:staff_appointments",
                "user",
                P.BACKOFFICE_ACCESS,
                14,
            ),
            NavItem(
                "staff",
                _("Erasure requests"),
                "members:staff_erasures",
                "list",
                P.MANAGE_MEMBERS,
                15,
            ),
        ):
            register(item)

        from smartcoop.core.notifications import (
            MEMBERS,
            register_audience,
            register_language_source,
        )

        register_language_source(_member_language)
        register_audience(MEMBERS, _is_member)

        from smartcoop.core.next_steps import register_next_step

        register_next_step(_onboarding_step)

        from smartcoop.core.next_steps import register_dashboard_steps

        register_dashboard_steps("members", _membership_steps, order=10)

        from smartcoop.core.dashboard import Widget, register_widget

        register_widget(
            Widget("member", "membership", _("My membership"), _my_membership, order=10)
        )
        register_widget(
            Widget(
                "staff",
                "members_attention",
                _("Members who need attention"),
                _needs_attention,
                P.BACKOFFICE_ACCESS,
                order=10,
            )
        )
        register_widget(
            Widget(
                "staff",
                "share_payments",
                _("Share payments to confirm"),
                _payments_to_confirm,
                P.CONFIRM_SHARE_PAYMENTS,
                order=11,
            )
        )


def _member_language(user: User) -> str:
    """Notifications go out in the language the member chose when joining."""
    from .models import Member

    member = Member.objects.filter(user=user).only("language").first()
    return member.language if member is not None else ""


def _is_member(user: User) -> bool:
    """Members' notifications (a contract, a client, an assembly) reach people with a member
    file: the choices page offers them those kinds, and no one else."""
    from .models import Member

    return Member.objects.filter(user=user).exists()


def _onboarding_step(user: User) -> str | None:
    """A member who has not finished joining continues the wizard where they left it."""
    from django.urls import reverse

    from .models import Member
    from .selectors import member_of_user

    member = member_of_user(user=user)
    if member is None:
        return reverse("members:onboarding", args=[Member.OnboardingStep.IDENTITY])
    if member.onboarding_step != Member.OnboardingStep.DONE:
        return reverse("members:onboarding", args=[member.onboarding_step])
    return None


def _membership_steps(request) -> list:
    """Join (the wizard), then pay the shares: what makes someone a member."""
    from django.urls import reverse

    from smartcoop.core.money import format_money
    from smartcoop.core.next_steps import Step
    from smartcoop.core.roles import Permission, has_permission

    from .models import Member, ShareSubscription
    from .selectors import member_of_request, member_subscriptions

    if has_permission(request.user, Permission.BACKOFFICE_ACCESS):
        return []
    member = member_of_request(request)
    if member is None or member.onboarding_step != Member.OnboardingStep.DONE:
        step = member.onboarding_step if member else Member.OnboardingStep.IDENTITY
        return [
            Step(
                _("Finish joining the cooperative"),
                reverse("members:onboarding", args=[step]),
                _("Identity, bank account, profession, privacy: a few minutes."),
            )
        ]
    pending = member_subscriptions(member=member).filter(status=ShareSubscription.Status.PENDING)
    steps = [
        Step(
            _("Pay your shares"),
            reverse("members:subscription", args=[s.public_id]),
            _("%(amount)s by bank transfer, with the structured communication shown.")
            % {"amount": format_money(s.amount)},
        )
        for s in pending[:1]
    ]
    if not steps and member.member_number is None:
        steps.append(Step(_("Subscribe your shares"), reverse("members:shares_subscribe")))
    return steps


def _needs_attention(request):
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .selectors import member_portfolio

    count = member_portfolio(user=request.user, needs_attention=True).count()
    return Figure(
        count, url=reverse("members:staff_index") + "?attention=1", tone="warn" if count else "ok"
    )


def _payments_to_confirm(request):
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .selectors import subscriptions_pending

    count = subscriptions_pending(user=request.user).count()
    return Figure(count, url=reverse("members:staff_payments"), tone="warn" if count else "ok")


def _my_membership(request):
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .models import Member
    from .selectors import member_of_request

    member = member_of_request(request)
    if member is None or member.member_number is None:
        return Figure(
            str(Member.Status.APPLICANT.label), url=reverse("members:member_index"), tone="warn"
        )
    return Figure(
        f"№ {member.member_number}",
        url=reverse("members:member_index"),
        note=member.get_status_display(),
    )
