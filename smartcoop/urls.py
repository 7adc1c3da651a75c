from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from smartcoop.core import views as core_views

api_v1 = [
    path("", include("smartcoop.core.api_urls")),
    path("members/", include("members.api.urls")),
    path("activities/", include("activities.api.urls")),
    path("invoicing/", include("invoicing.api.urls")),
    path("payroll/", include("payroll.api.urls")),
    path("governance/", include("governance.api.urls")),
]

urlpatterns = [
    path("", include("smartcoop.core.urls")),
    path("members/", include("members.urls")),
    path("activities/", include("activities.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("payroll/", include("payroll.urls")),
    path("declarations/", include("declarations.urls")),
    path("governance/", include("governance.urls")),
    path("backoffice/key-figures/", include("keyfigures.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    # The admin has no login page of its own: everyone logs in through allauth (with MFA).
    path(
        "admin/login/", RedirectView.as_view(url=reverse_lazy("account_login"), query_string=True)
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

# Uploaded files (receipts, certificates, invoices) are never served from a public media URL:
# each app serves them through a view that checks who is asking.

handler404 = "smartcoop.core.views.page_not_found"
handler500 = "smartcoop.core.views.server_error"
