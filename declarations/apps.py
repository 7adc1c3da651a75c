from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Social declarations")

    def ready(self) -> None:
        from activities.contract_events import (
            register_contract_listener,
            register_contract_status,
            register_contracts_listener,
            register_declaration_owner,
            register_start_rule,
        )
        from smartcoop.core.navigation import NavItem, register
        from smartcoop.core.notifications import NotificationKind, register_kind
        from smartcoop.core.roles import Permission

        from .hooks import (
            contract_status,
            declaration_owner,
            goes_on_undeclared,
            on_contract_event,
            on_contracts_event,
        )

        register_kind(
            NotificationKind(
                "declarations.deadline_near",
                _("A declaration of my entity is due soon and not filed (payroll)"),
                _("%(kind)s %(subject)s is due by %(due)s %(time)s and is not filed yet."),
                dates=("due",),
                order=80,
                audience=Permission.SUBMIT_DECLARATIONS,
            )
        )
        register_kind(
            NotificationKind(
                "declarations.no_answer",
                _("A declaration sent by the web service got no answer (payroll)"),
                _(
                    "%(kind)s %(subject)s, sent on %(sent)s, got no answer from the authority: "
                    "look it up on the authority's site."
                ),
                dates=("sent",),
                order=81,
                audience=Permission.SUBMIT_DECLARATIONS,
            )
        )
        register_contract_listener(on_contract_event)
        register_contracts_listener(on_contracts_event)
        register_contract_status(contract_status)
        register_declaration_owner(declaration_owner)
        register_start_rule(goes_on_undeclared)
        from smartcoop.core.dashboard import Widget, register_widget

        register_widget(
            Widget(
                "staff",
                "declarations_due",
                _("Declarations due or late"),
                _due_or_late,
                Permission.SUBMIT_DECLARATIONS,
                order=45,
            )
        )
        register_widget(
            Widget(
                "staff",
                "declarations_unanswered",
                _("Declarations without an answer"),
                _unanswered,
                Permission.SUBMIT_DECLARATIONS,
                order=46,
            )
        )
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


def _due_or_late(request):
    """The alert before a deadline passes: open declarations due within the alert window of
    the e-mails (`declaration_alert_hours`), and the late ones (red when any is late)."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from smartcoop.core.dashboard import Figure
    from smartcoop.core.tenancy import current_entity

    from . import selectors
    from .services import alert_hours

    entity = current_entity(request)
    if entity is None:
        return None
    late = selectors.late_count(entity=entity)
    hours = alert_hours(timezone.now()) or 48
    soon = selectors.due_before(entity=entity, before=timezone.now() + dt.timedelta(hours=hours))
    return Figure(
        soon,
        url=reverse("declarations:queue"),
        tone="bad" if late else ("warn" if soon else "ok"),
        note=_("%(late)s late") % {"late": late},
    )


def _unanswered(request):
    """Declarations sent by the web service that got no answer within the age limit: shown
    (red) only when there are some."""
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure
    from smartcoop.core.tenancy import current_entity

    from . import selectors

    entity = current_entity(request)
    if entity is None:
        return None
    count = selectors.unanswered_count(entity=entity)
    if not count:
        return None
    return Figure(count, url=reverse("declarations:queue"), tone="bad")
