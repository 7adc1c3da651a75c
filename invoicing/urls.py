from django.urls import path

from . import views

app_name = "invoicing"

urlpatterns = [
    path("", views.member_index, name="member_index"),
    path("clients/", views.member_clients, name="member_clients"),
    path("clients/new/", views.member_client_new, name="member_client_new"),
    path("new/", views.member_invoice_new, name="member_invoice_new"),
    path("performance/", views.member_performance_new, name="member_performance_new"),
    path("quotes/", views.member_quotes, name="member_quotes"),
    path("quotes/new/", views.member_quote_new, name="member_quote_new"),
    path("quotes/<uuid:public_id>/", views.member_quote, name="member_quote"),
    path("quote/<str:token>/", views.quote_public, name="quote_public"),
    path("<uuid:public_id>/", views.member_invoice, name="member_invoice"),
    path("<uuid:public_id>/edit/", views.member_invoice_edit, name="member_invoice_edit"),
    path("<uuid:public_id>/submit/", views.member_invoice_submit, name="member_invoice_submit"),
    path("<uuid:public_id>/pdf/", views.member_invoice_pdf, name="member_invoice_pdf"),
    path("<uuid:public_id>/ubl/", views.member_invoice_ubl, name="member_invoice_ubl"),
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/bank/", views.staff_bank, name="staff_bank"),
    path("staff/reminders/", views.staff_reminder_policy, name="staff_reminder_policy"),
    path("staff/collection.csv", views.staff_collection_export, name="staff_collection_export"),
    path(
        "staff/clients/<uuid:public_id>/statement.pdf",
        views.staff_client_statement,
        name="staff_client_statement",
    ),
    path("staff/bank/<uuid:public_id>/match/", views.staff_bank_match, name="staff_bank_match"),
    path("staff/<uuid:public_id>/", views.staff_invoice, name="staff_invoice"),
    path(
        "staff/<uuid:public_id>/approve/", views.staff_invoice_approve, name="staff_invoice_approve"
    ),
    path("staff/<uuid:public_id>/vat/", views.staff_invoice_vat, name="staff_invoice_vat"),
    path(
        "staff/<uuid:public_id>/collection/",
        views.staff_invoice_collection,
        name="staff_invoice_collection",
    ),
    path("staff/<uuid:public_id>/pdf/", views.staff_invoice_pdf, name="staff_invoice_pdf"),
    path(
        "staff/<uuid:public_id>/reminders/<int:step>.pdf",
        views.staff_reminder_letter,
        name="staff_reminder_letter",
    ),
    path(
        "staff/<uuid:public_id>/reminders/<int:step>/posted/",
        views.staff_reminder_posted,
        name="staff_reminder_posted",
    ),
    path("pay/<str:token>/", views.pay, name="pay"),
    path("pay/<str:token>/pdf/", views.pay_pdf, name="pay_pdf"),
    path("pay/<str:token>/ubl/", views.pay_ubl, name="pay_ubl"),
    path("pay/<str:token>/online/", views.pay_online, name="pay_online"),
]
