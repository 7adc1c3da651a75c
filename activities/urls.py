from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.member_index, name="member_index"),
    path("staff/", views.staff_index, name="staff_index"),
]
