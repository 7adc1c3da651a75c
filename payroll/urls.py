from django.urls import path

from . import views
from .runs import views as run_views

app_name = "payroll"

urlpatterns = [
    path("", views.member_index, name="member_index"),
    path("payslips/<uuid:public_id>.pdf", views.member_payslip_pdf, name="member_payslip_pdf"),
    path("tax-profile/", views.tax_profile, name="tax_profile"),
    path("staff/", views.staff_index, name="staff_index"),
    path(
        "staff/incomplete-tax-profiles/",
        views.staff_incomplete_profiles,
        name="staff_incomplete_profiles",
    ),
    path(
        "staff/work-accident-rates/",
        views.staff_work_accident_rates,
        name="staff_work_accident_rates",
    ),
    path("staff/payslips/<uuid:public_id>/", views.staff_payslip, name="staff_payslip"),
    path("staff/payslips/<uuid:public_id>.pdf", views.staff_payslip_pdf, name="staff_payslip_pdf"),
    path(
        "staff/payslips/<uuid:public_id>/correct/",
        views.staff_payslip_correct,
        name="staff_payslip_correct",
    ),
    path(
        "staff/payslips/<uuid:public_id>/approve/",
        views.staff_payslip_approve,
        name="staff_payslip_approve",
    ),
    path(
        "staff/payslips/<uuid:public_id>/correction-transfer.xml",
        views.staff_correction_sepa,
        name="staff_correction_sepa",
    ),
    path("staff/runs/", run_views.run_list, name="runs"),
    path("staff/runs/<uuid:public_id>/", run_views.run_detail, name="run"),
    path("staff/runs/<uuid:public_id>/progress/", run_views.run_progress, name="run_progress"),
    path("staff/runs/<uuid:public_id>/approve/", run_views.run_approve, name="run_approve"),
    path("staff/runs/<uuid:public_id>/retry/", run_views.run_retry, name="run_retry"),
    path(
        "staff/runs/<uuid:public_id>/workers/<uuid:member_id>/recompute/",
        run_views.run_recompute,
        name="run_recompute",
    ),
    path(
        "staff/runs/<uuid:public_id>/workers/<uuid:member_id>/bank/",
        run_views.run_worker_bank,
        name="run_worker_bank",
    ),
    path("staff/runs/<uuid:public_id>/debit/", run_views.run_match_debit, name="run_match_debit"),
    path("staff/runs/<uuid:public_id>/sepa/", run_views.run_sepa, name="run_sepa"),
]
