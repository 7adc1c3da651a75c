from django.urls import path

from . import views

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="api_activities"),
    path("simulator/", views.SimulatorView.as_view(), name="api_activities_simulator"),
    path("contracts/", views.ContractListView.as_view(), name="api_activities_contracts"),
    path(
        "contracts/<uuid:public_id>/",
        views.ContractDetailView.as_view(),
        name="api_activities_contract",
    ),
    path(
        "contracts/<uuid:public_id>/cancel/",
        views.ContractCancelView.as_view(),
        name="api_activities_contract_cancel",
    ),
    path(
        "contracts/<uuid:public_id>/executive-status/",
        views.ContractExecutiveStatusView.as_view(),
        name="api_activities_contract_executive_status",
    ),
    path(
        "contracts/<uuid:public_id>/joint-committee/",
        views.ContractJointCommitteeView.as_view(),
        name="api_activities_contract_joint_committee",
    ),
    path("loans/", views.LoanRegisterView.as_view(), name="api_activities_loans"),
    path("<uuid:public_id>/", views.ActivityDetailView.as_view(), name="api_activities_detail"),
    path("<uuid:public_id>/ledger/", views.LedgerView.as_view(), name="api_activities_ledger"),
    path("<uuid:public_id>/months/", views.MonthsView.as_view(), name="api_activities_months"),
    path(
        "<uuid:public_id>/salary-requests/",
        views.SalaryRequestView.as_view(),
        name="api_activities_salary_request",
    ),
]
