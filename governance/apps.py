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
        register(NavItem("member", _("Working groups"), "governance:groups", "vote", order=51))
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
        _register_notification_kinds()


def _register_notification_kinds() -> None:
    """Every governance e-mail is a kind the member may turn off on their choices page."""
    from smartcoop.core.notifications import MEMBERS, NotificationKind, register_kind

    register_kind(
        NotificationKind(
            "governance.convocation",
            _("Convocation to a general assembly"),
            _("You are convened to %(assembly)s."),
            order=60,
            audience=MEMBERS,
            in_account=False,
        )
    )
    register_kind(
        NotificationKind(
            "governance.vote_reminder",
            _("Reminder: the vote of an assembly closes soon"),
            _("The vote of %(assembly)s closes soon."),
            order=61,
            audience=MEMBERS,
            in_account=False,
        )
    )
    register_kind(
        NotificationKind(
            "governance.candidacy_decided",
            _("Your candidacy in a board election is decided"),
            _("Your candidacy in “%(election)s” is decided: see the assembly's page."),
            order=62,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "governance.group_invited",
            _("You are invited to a working group"),
            _("You are invited to the working group “%(group)s”."),
            order=63,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "governance.recommendation_published",
            _("Your working group publishes a recommendation"),
            _("“%(group)s” published a recommendation: %(title)s."),
            order=64,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "governance.recommendation_comment",
            _("Someone comments on your recommendation"),
            _("%(name)s commented on your recommendation “%(title)s”."),
            order=65,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "governance.recommendation_answered",
            _("The board answers a recommendation you follow"),
            _("The board answered the recommendation “%(title)s”."),
            order=66,
            audience=MEMBERS,
        )
    )
