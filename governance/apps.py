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
        _register_notification_kinds()


def _register_notification_kinds() -> None:
    """Every governance e-mail is a kind the member may turn off on their choices page."""
    from smartcoop.core.notifications import NotificationKind, register_kind

    register_kind(
        NotificationKind(
            "governance.convocation",
            _("Convocation to a general assembly"),
            _("You are convened to %(assembly)s."),
            order=60,
            in_account=False,
        )
    )
    register_kind(
        NotificationKind(
            "governance.vote_reminder",
            _("Reminder: the vote of an assembly closes soon"),
            _("The vote of %(assembly)s closes soon."),
            order=61,
            in_account=False,
        )
    )
    register_kind(
        NotificationKind(
            "governance.candidacy_decided",
            _("Your candidacy in a board election is decided"),
            _("Your candidacy in “%(election)s” is decided: see the assembly's page."),
            order=62,
        )
    )
