from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("app/", views.member_home, name="member_home"),
    path("app/notifications/", views.notifications, name="notifications"),
    path(
        "app/notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("backoffice/", views.backoffice_home, name="backoffice_home"),
    path("backoffice/entity/", views.switch_entity, name="switch_entity"),
    path("backoffice/entity/settings/", views.entity_settings, name="entity_settings"),
    path("backoffice/audit/", views.audit_log, name="audit_log"),
    path("backoffice/health/", views.health, name="health"),
    path("backoffice/series/", views.number_series, name="number_series"),
    path(
        "backoffice/series/<uuid:public_id>/",
        views.number_series_detail,
        name="number_series_detail",
    ),
    path("dev/inbox/", views.dev_inbox, name="dev_inbox"),
]
