from django.urls import path

from . import views

app_name = "payroll"

urlpatterns = [
    path("", views.member_index, name="member_index"),
    path("tax-profile/", views.tax_profile, name="tax_profile"),
    path("staff/", views.staff_index, name="staff_index"),
    path(
        "staff/incomplete-tax-profiles/",
        views.staff_incomplete_profiles,
        name="staff_incomplete_profiles",
    ),
]
