from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "members"

urlpatterns = [
    # Member area
    # Each area's index has its own path, so the menu does not light up on every members page.
    path("", RedirectView.as_view(pattern_name="members:member_index")),
    path("membership/", views.member_index, name="member_index"),
    path("join/<slug:step>/", views.onboarding, name="onboarding"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<uuid:public_id>/book/", views.session_book, name="session_book"),
    path("bookings/<uuid:public_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("shares/subscribe/", views.shares_subscribe, name="shares_subscribe"),
    path("shares/<uuid:public_id>/", views.subscription_detail, name="subscription"),
    path("shares/<uuid:public_id>/cancel/", views.subscription_cancel, name="subscription_cancel"),
    path("shares/<uuid:public_id>/certificate.pdf", views.certificate, name="certificate"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<uuid:public_id>/book/", views.appointment_book, name="appointment_book"),
    path(
        "appointments/<uuid:public_id>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export.json", views.export_json, name="export_json"),
    path("privacy/export.pdf", views.export_pdf, name="export_pdf"),
    path("privacy/erasure/", views.erasure_request, name="erasure_request"),
    # Back-office
    path("staff/", RedirectView.as_view(pattern_name="members:staff_index")),
    path("staff/portfolio/", views.staff_index, name="staff_index"),
    path("staff/m/<uuid:public_id>/", views.staff_member, name="staff_member"),
    path("staff/m/<uuid:public_id>/assign/", views.staff_assign, name="staff_assign"),
    path("staff/m/<uuid:public_id>/leave/", views.staff_leave, name="staff_leave"),
    path("staff/m/<uuid:public_id>/transfer/", views.staff_transfer, name="staff_transfer"),
    path("staff/payments/", views.staff_payments, name="staff_payments"),
    path(
        "staff/payments/<uuid:public_id>/confirm/",
        views.staff_payment_confirm,
        name="staff_payment_confirm",
    ),
    path(
        "staff/shares/<uuid:public_id>/certificate.pdf",
        views.staff_certificate,
        name="staff_certificate",
    ),
    path("staff/register/", views.staff_register, name="staff_register"),
    path("staff/sessions/", views.staff_sessions, name="staff_sessions"),
    path("staff/sessions/<uuid:public_id>/", views.staff_session, name="staff_session"),
    path(
        "staff/bookings/<uuid:public_id>/attendance/",
        views.staff_attendance,
        name="staff_attendance",
    ),
    path("staff/appointments/", views.staff_appointments, name="staff_appointments"),
    path(
        "staff/appointments/<uuid:public_id>/",
        views.staff_appointment,
        name="staff_appointment",
    ),
    path("staff/erasures/", views.staff_erasures, name="staff_erasures"),
    path(
        "staff/erasures/<uuid:public_id>/process/",
        views.staff_erasure_process,
        name="staff_erasure_process",
    ),
]
