from django.urls import path

from . import views

urlpatterns = [
    path("invoices/", views.InvoiceListView.as_view(), name="api_invoicing_invoices"),
    path(
        "invoices/<uuid:public_id>/",
        views.InvoiceDetailView.as_view(),
        name="api_invoicing_invoice",
    ),
    path(
        "invoices/<uuid:public_id>/issue/",
        views.InvoiceSubmitView.as_view(),
        name="api_invoicing_invoice_issue",
    ),
    path("clients/", views.ClientListView.as_view(), name="api_invoicing_clients"),
]
