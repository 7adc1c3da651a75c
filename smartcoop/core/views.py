from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .dashboard import widgets_for
from .errors import ApplicationError, add_error_to_form
from .forms import LegalEntityForm
from .http import AuthenticatedRequest
from .mail import inbox_messages
from .next_steps import next_step_url
from .roles import Permission, has_permission
from .services import ENTITY_EDITABLE_FIELDS, legal_entity_update
from .tenancy import current_entity, entity_switch


def permission_required(permission: Permission):
    """View decorator: login, then the one permission check; anything else is a 404 (we do not
    reveal that a page exists to someone who may not see it)."""

    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_permission(request.user, permission):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def landing(request: HttpRequest) -> HttpResponse:
    pack = settings.COUNTRY_PACK
    from datetime import date

    today = date.today()
    context: dict[str, object] = {"fee_rate": pack.fee_rate(today)}
    try:
        context["share_price"] = pack.share_price(today)
    except LookupError:
        context["share_price"] = None
    return render(request, "public/landing.html", context)


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    if has_permission(request.user, Permission.BACKOFFICE_ACCESS):
        return redirect("core:backoffice_home")
    return redirect(next_step_url(request.user) or "core:member_home")


@login_required
def member_home(request: HttpRequest) -> HttpResponse:
    from .dashboard import panels_for
    from .next_steps import dashboard_steps

    return render(
        request,
        "member/home.html",
        {
            "widgets": widgets_for("member", request),
            "steps": dashboard_steps(request),
            "panels": panels_for("member", request),
        },
    )


@permission_required(Permission.BACKOFFICE_ACCESS)
def backoffice_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/home.html",
        {"entity": current_entity(request), "widgets": widgets_for("staff", request)},
    )


@require_POST
@permission_required(Permission.SWITCH_ENTITY)
def switch_entity(request: HttpRequest) -> HttpResponse:
    entity = entity_switch(request, entity_public_id=request.POST.get("entity", ""))
    if entity is None:
        raise Http404
    messages.success(request, _("You now work in %(entity)s.") % {"entity": entity.name})
    next_url = request.POST.get("next") or ""
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/backoffice/"
    return redirect(next_url)


@permission_required(Permission.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    rows = selectors.audit_log_list(
        entity=current_entity(request), action_prefix=request.GET.get("action", "").strip()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/audit_log.html",
        {"page": page, "action": request.GET.get("action", "")},
    )


@permission_required(Permission.VIEW_HEALTH)
def health(request: HttpRequest) -> HttpResponse:
    checks = selectors.system_health()
    status = 200 if all(c["ok"] for c in checks.values()) else 503
    return render(
        request,
        "backoffice/health.html",
        {
            "checks": checks,
            "failures": selectors.open_task_failures()[:50],
        },
        status=status,
    )


def dev_inbox(request: HttpRequest) -> HttpResponse:
    """The local inbox of `make run` (DEBUG only): every e-mail the platform sent."""
    if not (settings.DEBUG and settings.DEV_INBOX_DIR):
        raise Http404
    return render(request, "dev/inbox.html", {"messages_list": inbox_messages()})


@permission_required(Permission.VIEW_NUMBER_SERIES)
def number_series(request: HttpRequest) -> HttpResponse:
    entity = current_entity(request)
    rows = selectors.number_sequence_list(entity=entity) if entity else []
    return render(request, "backoffice/number_series.html", {"rows": rows, "entity": entity})


@permission_required(Permission.VIEW_NUMBER_SERIES)
def number_series_detail(request: HttpRequest, public_id) -> HttpResponse:
    entity = current_entity(request)
    if entity is None:
        raise Http404
    sequence = selectors.number_sequence_get(entity=entity, public_id=public_id)
    return render(request, "backoffice/number_series_detail.html", {"sequence": sequence})


@permission_required(Permission.MANAGE_ENTITIES)
def entity_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Settings of the entity the administrator works in (address, bank, invoice series)."""
    entity = current_entity(request)
    if entity is None:
        raise Http404
    form = LegalEntityForm(request.POST or None, instance=entity)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ENTITY_EDITABLE_FIELDS}
        try:
            legal_entity_update(entity=entity, actor=request.user, data=data)
        except ApplicationError as error:
            add_error_to_form(form, error)
            for field, field_messages in error.extra.get("fields", {}).items():
                if field in form.fields and field != error.field:
                    form.add_error(field, field_messages[0])
        else:
            messages.success(
                request, _("The settings of %(entity)s were saved.") % {"entity": entity.name}
            )
            return redirect("core:entity_settings")
    return render(request, "backoffice/entity_settings.html", {"form": form, "entity": entity})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account so that e-mails and the next login
    use the same language."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and user.preferred_language != language
    ):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response


# --- Error pages: the API answers its JSON error shape, pages the HTML one ----------------------


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    from django.views.defaults import page_not_found as html_page_not_found

    from .middleware import API_PREFIX, api_error_response

    if request.path.startswith(API_PREFIX):
        return api_error_response(404, "not_found", _("Not found."))
    return html_page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    from django.views.defaults import server_error as html_server_error

    from .middleware import API_PREFIX, api_error_response

    if request.path.startswith(API_PREFIX):
        return api_error_response(
            500, "server_error", _("Something went wrong on our side. It has been logged.")
        )
    return html_server_error(request)


# --- Notifications -------------------------------------------------------------------------------


@login_required
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    """The person's notifications, newest first; the ones shown are marked read once the page
    is rendered (so this page still shows them as new, and the bell is back to zero after)."""
    from .notifications import notifications_for, notifications_mark_read, render_text

    page = Paginator(notifications_for(user=request.user), 30).get_page(request.GET.get("page"))
    rows = [
        {"notification": n, "text": render_text(n), "unread": n.read_at is None}
        for n in page.object_list
    ]
    response = render(request, "member/notifications.html", {"page": page, "rows": rows})
    notifications_mark_read(user=request.user, ids=[n.pk for n in page.object_list])
    return response


@login_required
def notification_preferences(request: AuthenticatedRequest) -> HttpResponse:
    """Each kind of notification the person can receive (by their role): in the account, by
    e-mail, or neither."""
    from .notifications import kinds_for, preference, preferences_save

    available = kinds_for(request.user)
    if request.method == "POST":
        preferences_save(
            user=request.user,
            choices={
                kind.key: (
                    request.POST.get(f"{kind.key}:account") == "on",
                    request.POST.get(f"{kind.key}:email") == "on",
                )
                for kind in available
            },
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("core:notification_preferences")
    rows = [
        {"kind": kind, "choice": preference(user=request.user, kind=kind.key)} for kind in available
    ]
    return render(request, "member/notification_preferences.html", {"rows": rows})
