"""Pages: the member's clients and invoices, the staff's invoicing desk and bank reconciliation,
and the client's payment page (no account). Views parse, authorise, call one service, render."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcoop.core.errors import ApplicationError, ValidationFailed, add_error_to_form
from smartcoop.core.http import AuthenticatedRequest
from smartcoop.core.middleware import client_ip
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.spreadsheets import safe_writer
from smartcoop.core.tenancy import current_entity
from smartcoop.core.views import permission_required

from . import selectors, services
from .documents.pdf import epc_qr_svg_data_uri, payment_reference_context
from .forms import (
    ClientForm,
    ClientMessageForm,
    InvoiceForm,
    LineFormSet,
    ManualMatchForm,
    PaymentPlanForm,
    PerformanceForm,
    QuoteForm,
    ReminderPolicyForm,
    StatementUploadForm,
    VatOverrideForm,
)
from .models import BankTransaction, Invoice, Reminder, ReminderPolicy
from .payments import online_payment_provider

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from smartcoop.core.models import User

# --- Helpers ---------------------------------------------------------------------------------


def _download(file_field, name: str, content_type: str) -> FileResponse:
    if not file_field:
        raise Http404
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def hidden_from_anonymous(view):
    """Outermost on every view whose URL names an object (invoice, credit note, client, quote,
    bank line, downloads): an anonymous visitor gets 404, whatever the method, so the URL reveals
    nothing (not even that it exists behind a login). List pages still send them to log in."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _is_member(user: User | AnonymousUser) -> bool:
    return not has_permission(user, Permission.BACKOFFICE_ACCESS)


def member_only(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _is_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


# --- Member area -----------------------------------------------------------------------------


@member_only
def member_index(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.invoice_list(user=request.user).order_by("-created_at")
    status = request.GET.get("status", "")
    if status == "open":
        rows = rows.filter(status__in=services.OPEN_STATUSES, kind=Invoice.Kind.INVOICE)
    elif status == "draft":
        rows = rows.filter(status__in=[Invoice.Status.DRAFT, Invoice.Status.AWAITING_APPROVAL])
    totals = (
        selectors.invoice_list(user=request.user)
        .filter(kind=Invoice.Kind.INVOICE, status__in=services.OPEN_STATUSES)
        .aggregate(
            total=Sum("total_incl_vat"), paid=Sum("amount_paid"), credited=Sum("amount_credited")
        )
    )
    outstanding = (totals["total"] or 0) - (totals["paid"] or 0) - (totals["credited"] or 0)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "invoicing/member_index.html",
        {"page": page, "status": status, "outstanding": outstanding, "today": timezone.localdate()},
    )


@member_only
def member_clients(request: AuthenticatedRequest) -> HttpResponse:
    clients = selectors.client_list(user=request.user).order_by("name")
    return render(request, "invoicing/member_clients.html", {"clients": clients})


@member_only
def member_client_new(request: AuthenticatedRequest) -> HttpResponse:
    activities = list(selectors.member_activities(user=request.user, invoicing=True))
    if not activities:
        messages.info(request, _("You need an active Activity to add clients."))
        return redirect("invoicing:member_index")
    form = ClientForm(request.POST or None, activities=activities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        activity = next(a for a in activities if str(a.public_id) == data.pop("activity"))
        try:
            client = services.client_create(
                entity=activity.entity, actor=request.user, activity=activity, **data
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            if client.was_duplicate:
                messages.info(request, _("This client was already known: it is now yours too."))
            else:
                messages.success(request, _("Client added."))
            # The invoice form opens with this client (and its Activity) already chosen.
            query = urlencode({"client": client.public_id, "activity": activity.public_id})
            return redirect(f"{reverse('invoicing:member_invoice_new')}?{query}")
    return render(request, "invoicing/member_client_form.html", {"form": form})


def _lines_from(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _invoice_form_view(request: AuthenticatedRequest, invoice: Invoice | None) -> HttpResponse:
    activities = list(selectors.member_activities(user=request.user, invoicing=True))
    clients = list(selectors.client_list(user=request.user).order_by("name"))
    deposits = selectors.deposits_available(user=request.user, invoice=invoice)
    initial: dict[str, object] = {}
    line_initial = [{"quantity": 1, "unit": "HUR", "vat_rate_code": "standard"}]
    if invoice is None:
        # ?client=…&activity=… (after adding a client): preselected when they are the member's.
        wanted_client = request.GET.get("client", "")
        wanted_activity = request.GET.get("activity", "")
        if any(str(c.public_id) == wanted_client for c in clients):
            initial["client"] = wanted_client
        if any(str(a.public_id) == wanted_activity for a in activities):
            initial["activity"] = wanted_activity
    if invoice is not None:
        initial = {
            "activity": str(invoice.activity.public_id),
            "client": str(invoice.client.public_id),
            "delivery_date": invoice.delivery_date,
            "payment_days": invoice.payment_days,
            "buyer_reference": invoice.buyer_reference,
            "operation_category": invoice.operation_category,
            "delivery_street": invoice.delivery_street,
            "delivery_postcode": invoice.delivery_postcode,
            "delivery_city": invoice.delivery_city,
            "delivery_country": invoice.delivery_country,
            "discount_rate": invoice.discount_rate,
            "note": invoice.note,
            "is_deposit": invoice.is_deposit,
            "instalments": "\n".join(
                f"{formats.date_format(date.fromisoformat(i['due_date']), 'SHORT_DATE_FORMAT')} "
                f"{formats.number_format(Decimal(i['amount']), 2, use_l10n=True)}"
                for i in invoice.instalments
            ),
            "deposits": sorted(
                {
                    str(line.deposit_invoice.public_id)
                    for line in invoice.lines.all()
                    if line.deposit_invoice is not None
                }
            ),
        }
        line_initial = [
            {
                "description": line.description,
                "quantity": line.quantity.normalize(),
                "unit": line.unit,
                "unit_price": line.unit_price.normalize(),
                "vat_rate_code": line.vat_rate_code,
            }
            for line in invoice.lines.select_related("deposit_invoice")
            if not line.deposit_invoice_id  # deduction lines are made again from `deposits`
        ]
    form = InvoiceForm(
        request.POST or None,
        initial=initial,
        activities=activities,
        clients=clients,
        deposits=deposits,
    )
    formset = LineFormSet(request.POST or None, initial=line_initial, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        activity = next(a for a in activities if str(a.public_id) == data["activity"])
        client = next(c for c in clients if str(c.public_id) == data["client"])
        try:
            invoice = services.invoice_draft_save(
                actor=request.user,
                invoice=invoice,
                activity=activity,
                client=client,
                lines=_lines_from(formset),
                payment_days=data["payment_days"],
                delivery_date=data["delivery_date"],
                buyer_reference=data["buyer_reference"],
                operation_category=data["operation_category"] or Invoice.OperationCategory.SERVICES,
                delivery_address={
                    part: data[f"delivery_{part}"]
                    for part in ("street", "postcode", "city", "country")
                },
                note=data["note"],
                discount_rate=data["discount_rate"] or Decimal("0"),
                is_deposit=data["is_deposit"],
                deposits=[d for d in deposits if str(d.public_id) in data.get("deposits", [])],
                instalments=data["instalments"],
            )
        except ApplicationError as error:
            if error.field in ("lines",):
                # Django has no public way to add a formset-wide error after validation.
                formset._non_form_errors = formset.error_class([error.message])  # type: ignore[attr-defined]
            elif error.field == "vat_number":
                form.add_error("client", error.message)
            else:
                add_error_to_form(form, error)
        else:
            messages.success(request, _("Draft saved. Check it, then issue it."))
            return redirect("invoicing:member_invoice", public_id=invoice.public_id)
    return render(
        request,
        "invoicing/member_invoice_form.html",
        {"form": form, "formset": formset, "invoice": invoice, "has_clients": bool(clients)},
    )


@member_only
def member_invoice_new(request: AuthenticatedRequest) -> HttpResponse:
    return _invoice_form_view(request, None)


@hidden_from_anonymous
@member_only
def member_invoice_edit(request: AuthenticatedRequest, public_id) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, public_id=public_id)
    if invoice.status != Invoice.Status.DRAFT:
        raise Http404
    return _invoice_form_view(request, invoice)


@hidden_from_anonymous
@member_only
def member_invoice(request: AuthenticatedRequest, public_id) -> HttpResponse:
    invoice = selectors.invoice_get(user=request.user, public_id=public_id)
    return render(request, "invoicing/member_invoice.html", _detail_context(invoice))


@hidden_from_anonymous
@member_only
def member_invoice_submit(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """GET: the confirmation page (what will happen: numbered, sent, no longer editable);
    POST: issue (or send for approval). A confirm page, not a script's confirm()."""
    invoice = selectors.invoice_get(user=request.user, public_id=public_id)
    if (
        not selectors.member_activities(user=request.user, invoicing=True)
        .filter(pk=invoice.activity_id)
        .exists()
    ):
        raise Http404
    if request.method != "POST":
        if invoice.status != Invoice.Status.DRAFT:
            return redirect("invoicing:member_invoice", public_id=invoice.public_id)
        return render(request, "invoicing/member_invoice_confirm.html", _detail_context(invoice))
    try:
        invoice = services.invoice_submit(invoice=invoice, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if invoice.is_issued:
            messages.success(
                request, _("Invoice %(ref)s issued and sent.") % {"ref": invoice.reference}
            )
        else:
            messages.success(request, _("Sent to your adviser for approval."))
    return redirect("invoicing:member_invoice", public_id=invoice.public_id)


@hidden_from_anonymous
@member_only
def member_invoice_pdf(request: AuthenticatedRequest, public_id) -> FileResponse:
    invoice = selectors.invoice_get(user=request.user, public_id=public_id)
    return _download(invoice.pdf, f"{invoice.reference}.pdf", "application/pdf")


@hidden_from_anonymous
@member_only
def member_invoice_ubl(request: AuthenticatedRequest, public_id) -> FileResponse:
    invoice = selectors.invoice_get(user=request.user, public_id=public_id)
    return _download(invoice.ubl, f"{invoice.reference}.xml", "application/xml")


def _detail_context(invoice: Invoice) -> dict:
    return {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "payments": list(selectors.invoice_payments(invoice=invoice)),
        "credit_notes": list(invoice.credit_notes.all()),
        "reminders": list(invoice.reminders.all()),
        "transmissions": list(invoice.transmissions.all()),
        "client_messages": list(invoice.messages.all()),
        "plans": list(invoice.payment_plans.all()),
        "deducted_on": list(
            Invoice.objects.filter(lines__deposit_invoice=invoice).distinct().order_by("pk")
        )
        if invoice.is_deposit
        else [],
        "payment_link": services.payment_link_url(invoice=invoice) if invoice.is_issued else "",
        "today": timezone.localdate(),
    }


# --- Staff -----------------------------------------------------------------------------------


@permission_required(Permission.VIEW_INVOICES)
def staff_index(request: AuthenticatedRequest) -> HttpResponse:
    entity = current_entity(request)
    rows = selectors.invoice_list(user=request.user, entity=entity)
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if query:
        rows = rows.filter(Q(reference__icontains=query) | Q(client__name__icontains=query))
    if status:
        rows = rows.filter(status=status)
    awaiting = rows.filter(status=Invoice.Status.AWAITING_APPROVAL)
    today = timezone.localdate()
    return render(
        request,
        "invoicing/staff_index.html",
        {
            "entity": entity,
            "page": Paginator(rows.order_by("-created_at"), 50).get_page(request.GET.get("page")),
            "awaiting": awaiting[:20],
            "to_post": (
                list(selectors.reminders_to_post(entity=entity)[:50])
                if entity and has_permission(request.user, Permission.MANAGE_COLLECTION)
                else []
            ),
            "aging": selectors.aging_report(entity=entity, on=today) if entity else [],
            "q": query,
            "status": status,
            "statuses": Invoice.Status.choices,
            "today": today,
        },
    )


@hidden_from_anonymous
@permission_required(Permission.VIEW_INVOICES)
def staff_invoice(request: AuthenticatedRequest, public_id) -> HttpResponse:
    invoice = selectors.invoice_get(
        user=request.user, public_id=public_id, entity=current_entity(request)
    )
    context = _detail_context(invoice)
    context["vat_form"] = VatOverrideForm(initial={"regime": invoice.vat_regime})
    context["can_approve"] = has_permission(request.user, Permission.APPROVE_INVOICES)
    context["can_collect"] = has_permission(request.user, Permission.MANAGE_COLLECTION)
    context["staff_view"] = True
    return render(request, "invoicing/staff_invoice.html", context)


@hidden_from_anonymous
@require_POST
@permission_required(Permission.APPROVE_INVOICES)
def staff_invoice_approve(request: AuthenticatedRequest, public_id) -> HttpResponse:
    invoice = selectors.invoice_get(
        user=request.user, public_id=public_id, entity=current_entity(request)
    )
    try:
        invoice = services.invoice_approve(invoice=invoice, actor=request.user)
        messages.success(request, _("Invoice %(ref)s issued.") % {"ref": invoice.reference})
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("invoicing:staff_invoice", public_id=invoice.public_id)


@hidden_from_anonymous
@require_POST
@permission_required(Permission.APPROVE_INVOICES)
def staff_invoice_vat(request: AuthenticatedRequest, public_id) -> HttpResponse:
    invoice = selectors.invoice_get(
        user=request.user, public_id=public_id, entity=current_entity(request)
    )
    form = VatOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_vat_override(invoice=invoice, actor=request.user, **form.cleaned_data)
            messages.success(request, _("VAT treatment changed."))
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose a VAT treatment and give the reason."))
    return redirect("invoicing:staff_invoice", public_id=invoice.public_id)


@hidden_from_anonymous
@require_POST
@permission_required(Permission.MANAGE_COLLECTION)
def staff_invoice_collection(request: AuthenticatedRequest, public_id) -> HttpResponse:
    invoice = selectors.invoice_get(
        user=request.user, public_id=public_id, entity=current_entity(request)
    )
    action = request.POST.get("action", "")
    try:
        if action == "resolve_dispute":
            services.invoice_dispute_resolve(invoice=invoice, actor=request.user)
        elif action == "revoke_link":
            services.payment_link_revoke(invoice=invoice, actor=request.user)
            messages.success(request, _("The payment links sent so far no longer work."))
        elif action == "payment_plan":
            plan_form = PaymentPlanForm(request.POST)
            if not plan_form.is_valid():
                raise ValidationFailed(
                    " ".join(str(e) for e in plan_form.errors["instalments"]), field="instalments"
                )
            instalments = plan_form.cleaned_data["instalments"]
            services.payment_plan_create(
                invoice=invoice, actor=request.user, instalments=instalments
            )
            messages.success(request, _("Payment plan saved: reminders are paused."))
        elif action == "credit_note":
            note = services.credit_note_create(
                invoice=invoice, actor=request.user, reason=request.POST.get("reason", "")
            )
            note = services.invoice_issue(invoice=note, issued_by=request.user)
            messages.success(request, _("Credit note %(ref)s issued.") % {"ref": note.reference})
        else:
            services.invoice_collection_set(
                invoice=invoice, actor=request.user, collection=request.POST.get("collection", "")
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("invoicing:staff_invoice", public_id=invoice.public_id)


@hidden_from_anonymous
@permission_required(Permission.VIEW_INVOICES)
def staff_invoice_pdf(request: AuthenticatedRequest, public_id) -> FileResponse:
    invoice = selectors.invoice_get(
        user=request.user, public_id=public_id, entity=current_entity(request)
    )
    return _download(invoice.pdf, f"{invoice.reference}.pdf", "application/pdf")


def _staff_reminder(
    request: AuthenticatedRequest, public_id, step: int
) -> tuple[Invoice, Reminder]:
    invoice = selectors.invoice_get(
        user=request.user, public_id=public_id, entity=current_entity(request)
    )
    reminder = invoice.reminders.filter(step=step).first()
    if reminder is None:
        raise Http404
    return invoice, reminder


@hidden_from_anonymous
@permission_required(Permission.VIEW_INVOICES)
def staff_reminder_letter(request: AuthenticatedRequest, public_id, step: int) -> FileResponse:
    """The reminder letter as sent (or to post, for a client without an e-mail address)."""
    invoice, reminder = _staff_reminder(request, public_id, step)
    return _download(
        reminder.letter,
        f"{invoice.reference}-reminder-{reminder.step}.pdf",
        "application/pdf",
    )


@hidden_from_anonymous
@require_POST
@permission_required(Permission.MANAGE_COLLECTION)
def staff_reminder_posted(request: AuthenticatedRequest, public_id, step: int) -> HttpResponse:
    invoice, reminder = _staff_reminder(request, public_id, step)
    services.reminder_mark_posted(reminder=reminder, actor=request.user)
    messages.success(
        request, _("Letter for %(ref)s marked as posted.") % {"ref": invoice.reference}
    )
    return redirect("invoicing:staff_index")


@permission_required(Permission.IMPORT_BANK_STATEMENTS)
def staff_bank(request: AuthenticatedRequest) -> HttpResponse:
    entity = current_entity(request)
    if entity is None:
        raise Http404
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.bank_statement_import(
                entity=entity, actor=request.user, file_name=upload.name, content=upload.read()
            )
        except ApplicationError as error:
            report = {"errors": error.extra.get("errors", []), "message": error.message}
        else:
            if result.already_imported:
                messages.info(request, _("This statement was already imported: nothing changed."))
            else:
                messages.success(
                    request,
                    _("%(new)s new lines, %(matched)s matched, %(unmatched)s to match by hand.")
                    % {
                        "new": result.created,
                        "matched": result.matched,
                        "unmatched": result.unmatched,
                    },
                )
            return redirect("invoicing:staff_bank")
    unmatched = list(selectors.unmatched_transactions(entity=entity)[:100])
    suggestions = selectors.match_suggestions(entity=entity, transactions=unmatched)
    return render(
        request,
        "invoicing/staff_bank.html",
        {
            "form": form,
            "report": report,
            "unmatched": [(row, suggestions.get(row.pk, [])) for row in unmatched],
            "match_form": ManualMatchForm(),
        },
    )


@hidden_from_anonymous
@require_POST
@permission_required(Permission.IMPORT_BANK_STATEMENTS)
def staff_bank_match(request: AuthenticatedRequest, public_id) -> HttpResponse:
    entity = current_entity(request)
    row = BankTransaction.objects.filter(entity=entity, public_id=public_id).first()
    if row is None:
        raise Http404
    form = ManualMatchForm(request.POST)
    invoice = None
    if form.is_valid():
        invoice = (
            Invoice.objects.filter(
                entity=entity, reference=form.cleaned_data["invoice"].strip().upper()
            )
            .filter(kind=Invoice.Kind.INVOICE)
            .first()
        )
    if invoice is None:
        messages.error(request, _("No invoice with this number in this entity."))
        return redirect("invoicing:staff_bank")
    try:
        services.bank_transaction_match(transaction_row=row, invoice=invoice, actor=request.user)
        messages.success(request, _("Matched to %(ref)s.") % {"ref": invoice.reference})
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("invoicing:staff_bank")


# --- The client's payment page (no account) ---------------------------------------------------

RATE_LIMIT = 60  # requests per IP per minute on the payment pages


def rate_limited(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        ip = client_ip(request)  # the real client behind our TLS proxy, never a forged header
        key = f"invoicing:pay-rate:{ip}:{int(timezone.now().timestamp() // 60)}"
        cache.add(key, 0, timeout=70)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count > RATE_LIMIT:
            return HttpResponse(_("Too many requests. Try again in a minute."), status=429)
        return view(request, *args, **kwargs)

    return wrapped


def client_page_language(request: HttpRequest, client_language: str) -> str:
    """The language of a client page: the one the visitor chose with the switcher (its cookie),
    else the client's (the language of their invoice or quote), else what the browser asks for
    (LocaleMiddleware's choice, the deployment's language by default)."""
    supported = dict(settings.LANGUAGES)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in supported:
        return chosen
    if client_language in supported:
        return client_language
    return translation.get_language() or settings.LANGUAGE_CODE


def client_page(response: HttpResponse, *, language: str) -> HttpResponse:
    """Headers of every client page. The token is in the URL, so no referrer may carry it to
    another site; `same-origin` keeps it from other sites while the page's own forms still send
    their origin, which Django's CSRF check compares with the host (`no-referrer` made the browser
    send `Origin: null`, and every form of these pages answered 403)."""
    response["Referrer-Policy"] = "same-origin"
    response["Content-Language"] = language
    response["Cache-Control"] = "private, no-store"
    return response


def link_gone(request: HttpRequest, dead_end: services.DeadLink | None) -> HttpResponse:
    """404 for a client link that does not open anything, saying what to do: for a link we
    signed (expired or revoked) in the client's language, naming the issuer to ask for a new
    one; for a mistyped link (nobody known) in the browser's or the deployment's language."""
    language = client_page_language(request, dead_end.language if dead_end else "")
    with translation.override(language):
        response = render(request, "invoicing/link_gone.html", {"dead_end": dead_end}, status=404)
    return client_page(response, language=language)


def _invoice_of_token(token: str) -> Invoice | None:
    invoice = services.payment_link_resolve(token=token)
    if invoice is None or invoice.is_credit_note:
        return None
    return invoice


@rate_limited
def pay(request: HttpRequest, token: str) -> HttpResponse:
    invoice = _invoice_of_token(token)
    if invoice is None:
        return link_gone(request, services.payment_link_dead_end(token=token))
    language = client_page_language(request, invoice.snapshot["client"].get("language", ""))
    with translation.override(language):
        response = _pay(request, invoice, token)
    return client_page(response, language=language)


def _pay(request: HttpRequest, invoice: Invoice, token: str) -> HttpResponse:
    form = ClientMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_message_create(invoice=invoice, **form.cleaned_data)
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("Thank you. Our customer service will answer you."))
            return redirect("invoicing:pay", token=token)
    due = invoice.amount_due
    schedule = selectors.payment_plan_schedule(invoice=invoice) if due > 0 else []
    upcoming = next((i for i in schedule if not i.is_paid), None)
    # With instalments, the QR code and the amount shown ask for the next one only.
    to_pay = min(upcoming.outstanding, due) if upcoming else due
    provider = online_payment_provider()
    return render(
        request,
        "invoicing/pay.html",
        {
            "invoice": invoice,
            "s": invoice.snapshot,
            "token": token,
            "due": due,
            "overdue": invoice.due_date and invoice.due_date < date.today() and due > 0,
            **payment_reference_context(invoice.snapshot),
            "qr": epc_qr_svg_data_uri(invoice.snapshot, to_pay) if due > 0 else "",
            "to_pay": to_pay,
            "schedule": schedule,
            "upcoming": upcoming,
            "payments": selectors.invoice_payments(invoice=invoice),
            "others": selectors.client_open_invoices(client=invoice.client, exclude=invoice)[:20],
            "form": form,
            "online": provider is not None and due > 0,
        },
    )


@rate_limited
def pay_pdf(request: HttpRequest, token: str) -> HttpResponseBase:
    invoice = _invoice_of_token(token)
    if invoice is None:
        return link_gone(request, services.payment_link_dead_end(token=token))
    return _download(invoice.pdf, f"{invoice.reference}.pdf", "application/pdf")


@rate_limited
def pay_ubl(request: HttpRequest, token: str) -> HttpResponseBase:
    invoice = _invoice_of_token(token)
    if invoice is None:
        return link_gone(request, services.payment_link_dead_end(token=token))
    return _download(invoice.ubl, f"{invoice.reference}.xml", "application/xml")


@require_POST
@rate_limited
def pay_online(request: HttpRequest, token: str) -> HttpResponse:
    invoice = _invoice_of_token(token)
    provider = online_payment_provider()
    if invoice is None or provider is None or invoice.amount_due <= 0:
        raise Http404
    url = provider.checkout_url(
        invoice=invoice,
        amount=invoice.amount_due,
        return_url=request.build_absolute_uri(),
    )
    return redirect(url)


# --- Quotes ----------------------------------------------------------------------------------


@member_only
def member_quotes(request: AuthenticatedRequest) -> HttpResponse:
    quotes = selectors.quote_list(user=request.user).order_by("-created_at")[:200]
    return render(request, "invoicing/member_quotes.html", {"quotes": quotes})


@member_only
def member_quote_new(request: AuthenticatedRequest) -> HttpResponse:
    activities = list(selectors.member_activities(user=request.user, invoicing=True))
    clients = list(selectors.client_list(user=request.user).order_by("name"))
    form = QuoteForm(request.POST or None, activities=activities, clients=clients)
    formset = LineFormSet(
        request.POST or None,
        initial=[{"quantity": 1, "unit": "HUR", "vat_rate_code": "standard"}],
        prefix="lines",
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            quote = services.quote_create(
                actor=request.user,
                activity=next(a for a in activities if str(a.public_id) == data["activity"]),
                client=next(c for c in clients if str(c.public_id) == data["client"]),
                title=data["title"],
                lines=_lines_from(formset),
                valid_days=data["valid_days"] or 30,
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            return redirect("invoicing:member_quote", public_id=quote.public_id)
    return render(request, "invoicing/member_quote_form.html", {"form": form, "formset": formset})


@hidden_from_anonymous
@member_only
def member_quote(request: AuthenticatedRequest, public_id) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, public_id=public_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send":
                services.quote_send(quote=quote, actor=request.user)
                messages.success(request, _("Quote sent to the client."))
            elif action == "invoice":
                invoice = services.quote_to_invoice(quote=quote, actor=request.user)
                return redirect("invoicing:member_invoice", public_id=invoice.public_id)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("invoicing:member_quote", public_id=quote.public_id)
    link = ""
    if quote.status != quote.Status.DRAFT:
        link = reverse("invoicing:quote_public", args=[services.quote_link_token(quote=quote)])
    return render(request, "invoicing/member_quote.html", {"quote": quote, "link": link})


@rate_limited
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    quote = services.quote_link_resolve(token=token)
    if quote is None:
        return link_gone(request, services.quote_link_dead_end(token=token))
    language = client_page_language(request, quote.client.language)
    with translation.override(language):
        response = _quote_public(request, quote, token)
    return client_page(response, language=language)


def _quote_public(request: HttpRequest, quote, token: str) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            services.quote_decide(
                quote=quote,
                accept=request.POST.get("decision") == "accept",
                name=request.POST.get("name", ""),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("invoicing:quote_public", token=token)
        quote.refresh_from_db()
    return render(
        request,
        "invoicing/quote_public.html",
        {"quote": quote, "error": error, "vat": quote.total_incl_vat - quote.total_excl_vat},
    )


@permission_required(Permission.MANAGE_COLLECTION)
def staff_collection_export(request: AuthenticatedRequest) -> HttpResponse:
    """Invoices handed over to collection (or all overdue with ?all=1) as CSV for the agency."""
    entity = current_entity(request)
    if entity is None:
        raise Http404
    rows = selectors.open_invoices_of_entity(entity=entity).filter(
        due_date__lt=timezone.localdate()
    )
    if not request.GET.get("all"):
        rows = rows.filter(collection=Invoice.Collection.HANDED_OVER)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="collection.csv"'
    writer = safe_writer(response)
    writer.writerow(
        [
            "number",
            "issue_date",
            "due_date",
            "client",
            "client_vat",
            "client_address",
            "client_email",
            "total_incl_vat",
            "paid",
            "due",
            "structured_communication",
        ]
    )
    for invoice in rows.order_by("due_date"):
        client = invoice.snapshot.get("client", {})
        writer.writerow(
            [
                invoice.reference,
                invoice.issue_date,
                invoice.due_date,
                client.get("name", ""),
                client.get("vat_number", ""),
                f"{client.get('street', '')}, {client.get('postcode', '')} {client.get('city', '')} "
                f"({client.get('country', '')})",
                client.get("email", ""),
                invoice.total_incl_vat,
                invoice.amount_paid,
                invoice.amount_due,
                invoice.structured_communication,
            ]
        )
    return response


@hidden_from_anonymous
@permission_required(Permission.VIEW_INVOICES)
def staff_client_statement(request: AuthenticatedRequest, public_id) -> HttpResponse:
    """A client's statement (open invoices with one entity) as PDF."""
    from django.template.loader import render_to_string

    from .documents.pdf import document_language, issuer_identity, render_pdf

    entity = current_entity(request)
    client = selectors.client_get(user=request.user, public_id=public_id, entity=entity)
    invoices = list(selectors.client_open_invoices(client=client))
    # Written for the client, in their language, like the invoices and reminders it lists.
    with translation.override(document_language(client.language)):
        html = render_to_string(
            "invoicing/pdf/statement.html",
            {
                **issuer_identity(entity, on=timezone.localdate()),
                "client": client,
                "entity": entity,
                "invoices": invoices,
                "total": sum((i.amount_due for i in invoices), Decimal("0.00")),
                "today": timezone.localdate(),
            },
        )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{client.public_id}.pdf"'
    return response


@member_only
def member_performance_new(request: AuthenticatedRequest) -> HttpResponse:
    """Contract tool: declare a performance; the invoice and the employment contract follow."""
    from django.conf import settings

    pack = settings.COUNTRY_PACK
    if "contract" not in pack.tools:
        raise Http404
    activities = list(selectors.member_activities(user=request.user, invoicing=True))
    clients = list(selectors.client_list(user=request.user).order_by("name"))
    member = getattr(request.user, "member", None)
    form = PerformanceForm(
        request.POST or None,
        activities=activities,
        clients=clients,
        contract_types=[t for t in pack.contract_types if not t.monthly_salary],
    )
    if request.method == "POST" and form.is_valid() and member is not None:
        data = form.cleaned_data
        try:
            invoice = services.performance_declare(
                actor=request.user,
                activity=next(a for a in activities if str(a.public_id) == data["activity"]),
                client=next(c for c in clients if str(c.public_id) == data["client"]),
                member=member,
                contract_type=data["contract_type"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                hours=data["hours"],
                price_excl_vat=data["price_excl_vat"],
                function=data["function"],
                description=data["description"],
                vat_rate_code=data["vat_rate_code"],
                workplace_country=data["workplace_country"].upper(),
            )
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request,
                _("Performance declared: the invoice and your employment contract are created.")
                if invoice.is_issued
                else _(
                    "Performance declared: your adviser approves the invoice, then the contract is created."
                ),
            )
            return redirect("invoicing:member_invoice", public_id=invoice.public_id)
    return render(request, "invoicing/member_performance_form.html", {"form": form})


# --- Reminder policy ---------------------------------------------------------------------------

_LEVEL_DEFAULT_DAYS = {"first_reminder": 7, "second_reminder": 21, "formal_notice": 35}


def _policy_initial(*, entity, audience: str, policy: ReminderPolicy | None, on) -> dict:
    if policy is not None:
        return {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    levels = {
        item.level: item
        for item in services.reminder_pack_levels(
            entity=entity, business=audience == ReminderPolicy.Audience.BUSINESS, on=on
        )
    }
    initial: dict = {}
    for level in services.REMINDER_LEVELS:
        initial[f"{level}_enabled"] = level in levels
        initial[f"{level}_days"] = (
            levels[level].days if level in levels else _LEVEL_DEFAULT_DAYS[level]
        )
        initial[f"{level}_text"] = ""
    return initial


@permission_required(Permission.MANAGE_COLLECTION)
def staff_reminder_policy(request: AuthenticatedRequest) -> HttpResponse:
    """The entity's reminder levels, delays and texts, for business clients and consumers,
    within the bounds of the law (refused at the field otherwise)."""
    entity = current_entity(request)
    if entity is None:
        raise Http404
    today = timezone.localdate()
    policies = {p.audience: p for p in ReminderPolicy.objects.filter(entity=entity)}
    posted = request.POST.get("audience") if request.method == "POST" else None
    if posted is not None and posted not in ReminderPolicy.Audience.values:
        raise Http404
    if posted and request.POST.get("action") == "reset":
        if services.reminder_policy_delete(entity=entity, actor=request.user, audience=posted):
            messages.success(request, _("The country's default schedule applies again."))
        return redirect("invoicing:staff_reminder_policy")
    sections = []
    for audience, label in ReminderPolicy.Audience.choices:
        policy = policies.get(audience)
        form = ReminderPolicyForm(
            request.POST if posted == audience else None,
            initial=_policy_initial(entity=entity, audience=audience, policy=policy, on=today),
            prefix=audience,
        )
        if posted == audience and form.is_valid():
            try:
                services.reminder_policy_save(
                    entity=entity,
                    actor=request.user,
                    audience=audience,
                    values=form.cleaned_data,
                    on=today,
                )
            except ApplicationError as error:
                add_error_to_form(form, error)
            else:
                messages.success(request, _("Reminder policy saved: the next daily run uses it."))
                return redirect("invoicing:staff_reminder_policy")
        bounds = services.reminder_bounds(
            entity=entity, business=audience == ReminderPolicy.Audience.BUSINESS, on=today
        )
        sections.append(
            {
                "audience": audience,
                "label": label,
                "form": form,
                "policy": policy,
                "rule": bounds.get("rule", ""),
            }
        )
    return render(
        request,
        "invoicing/staff_reminder_policy.html",
        {
            "entity": entity,
            "sections": sections,
            "recent": selectors.reminders_recent(entity=entity),
        },
    )
