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
        register(
            NavItem(
                "staff",
                _("Reminders"),
                "invoicing:staff_reminder_policy",
                "list",
                Permission.MANAGE_COLLECTION,
                order=32,
            )
        )

        from . import member_file

        member_file.register()
        _register_notification_kinds()

        from smartcoop.core.next_steps import register_dashboard_steps

        register_dashboard_steps("invoicing", _invoicing_steps, order=30)

        from smartcoop.core.dashboard import Widget, register_widget

        register_widget(
            Widget("member", "owed", _("Your clients still owe"), _owed_to_member, order=30)
        )
        register_widget(
            Widget(
                "staff",
                "to_approve",
                _("Invoices to approve"),
                _to_approve,
                Permission.APPROVE_INVOICES,
                order=30,
            )
        )
        register_widget(
            Widget(
                "staff",
                "overdue",
                _("Overdue invoices"),
                _overdue,
                Permission.VIEW_INVOICES,
                order=31,
            )
        )


def _invoicing_steps(request) -> list:
    """Add a client, write the first invoice, finish the drafts."""
    from django.urls import reverse

    from smartcoop.core.next_steps import Step

    from .models import Invoice
    from .selectors import client_list, invoice_list, member_activities

    if not member_activities(user=request.user, invoicing=True).filter(status="active").exists():
        return []
    if not client_list(user=request.user).exists():
        return [
            Step(
                _("Add your first client"),
                reverse("invoicing:member_client_new"),
                _("Name, address and VAT number: then you can invoice them."),
            )
        ]
    invoices = invoice_list(user=request.user)
    draft = invoices.filter(status=Invoice.Status.DRAFT).order_by("-updated_at").first()
    if draft is not None:
        return [
            Step(
                _("Finish and issue your draft invoice to %(client)s")
                % {"client": draft.client.name},
                reverse("invoicing:member_invoice", args=[draft.public_id]),
            )
        ]
    if not invoices.exclude(number__isnull=True).exists():
        return [Step(_("Write your first invoice"), reverse("invoicing:member_invoice_new"))]
    return []


def _register_notification_kinds() -> None:
    from smartcoop.core.notifications import MEMBERS, NotificationKind, register_kind

    register_kind(
        NotificationKind(
            "invoicing.client_paid",
            _("A client pays an invoice"),
            _("%(client)s paid %(amount)s on invoice %(reference)s (still due: %(due)s)."),
            money=("amount", "due"),
            order=30,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "invoicing.reminder_sent",
            _("A reminder is sent to a client"),
            _("A reminder for invoice %(reference)s was sent to %(client)s (%(due)s due)."),
            money=("due",),
            order=31,
            audience=MEMBERS,
        )
    )
    register_kind(
        NotificationKind(
            "invoicing.documents_ready",
            _("The documents of an invoice are ready"),
            _("The PDF of %(reference)s for %(client)s is ready to download."),
            order=40,
            audience=MEMBERS,
        )
    )


def _open_invoices(rows):
    from .models import Invoice

    return rows.filter(
        kind=Invoice.Kind.INVOICE, status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID]
    )


def _owed_to_member(request):
    """What the clients of the member's Activities still owe (invoices issued, not yet paid)."""
    from django.db.models import F, Sum
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .selectors import invoice_list

    rows = _open_invoices(invoice_list(user=request.user))
    due = rows.aggregate(due=Sum(F("total_incl_vat") - F("amount_paid") - F("amount_credited")))
    if due["due"] is None:
        return None
    return Figure(due["due"], url=reverse("invoicing:member_index"), money=True)


def _staff_invoices(request):
    from smartcoop.core.tenancy import current_entity

    from .selectors import invoice_list

    entity = current_entity(request)
    return None if entity is None else invoice_list(user=request.user, entity=entity)


def _to_approve(request):
    from django.urls import reverse

    from smartcoop.core.dashboard import Figure

    from .models import Invoice

    rows = _staff_invoices(request)
    if rows is None:
        return None
    count = rows.filter(status=Invoice.Status.AWAITING_APPROVAL).count()
    return Figure(count, url=reverse("invoicing:staff_index"), tone="warn" if count else "ok")


def _overdue(request):
    from django.urls import reverse
    from django.utils import timezone

    from smartcoop.core.dashboard import Figure

    rows = _staff_invoices(request)
    if rows is None:
        return None
    count = _open_invoices(rows).filter(due_date__lt=timezone.localdate()).count()
    return Figure(count, url=reverse("invoicing:staff_index"), tone="warn" if count else "ok")
