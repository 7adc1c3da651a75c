from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.member_index, name="member_index"),
    path("simulator/", views.simulator, name="simulator"),
    path("new/", views.activity_create, name="create"),
    path("a/<uuid:public_id>/", views.activity_detail, name="detail"),
    path("a/<uuid:public_id>/reserve/", views.activity_reserve, name="reserve"),
    path("a/<uuid:public_id>/team/", views.activity_team, name="team"),
    path("a/<uuid:public_id>/transfer/", views.activity_transfer, name="transfer"),
    path("a/<uuid:public_id>/salary/", views.salary_request, name="salary_request"),
    path("a/<uuid:public_id>/expenses/new/", views.expense_create, name="expense_create"),
    path("a/<uuid:public_id>/loans/new/", views.loan_apply, name="loan_apply"),
    path("contracts/<uuid:public_id>/", views.contract_detail, name="contract"),
    path("expenses/<uuid:public_id>/", views.expense_detail, name="expense"),
    path("receipts/<uuid:public_id>/", views.expense_receipt, name="expense_receipt"),
    path("posting-documents/<uuid:public_id>/", views.posting_document, name="posting_document"),
    path("solidarity/", views.solidarity, name="solidarity"),
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/a/<uuid:public_id>/", views.staff_activity, name="staff_activity"),
    path(
        "staff/a/<uuid:public_id>/action/",
        views.staff_activity_action,
        name="staff_activity_action",
    ),
    path("staff/contracts/", views.staff_contracts, name="staff_contracts"),
    path("staff/contracts/<uuid:public_id>/", views.staff_contract, name="staff_contract"),
    path("staff/expenses/<uuid:public_id>/", views.staff_expense, name="staff_expense"),
    path("staff/loans/", views.staff_loans, name="staff_loans"),
    path("staff/loans/<uuid:public_id>/", views.staff_loan_action, name="staff_loan_action"),
    path("staff/reconciliation/", views.staff_reconciliation, name="staff_reconciliation"),
    path("staff/solidarity/", views.staff_solidarity, name="staff_solidarity"),
    path(
        "staff/solidarity/<uuid:public_id>/",
        views.staff_solidarity_action,
        name="staff_solidarity_action",
    ),
]
