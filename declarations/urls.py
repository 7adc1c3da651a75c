from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("staff/", views.queue, name="queue"),
    path("staff/batch/", views.batch_download, name="batch"),
    path("staff/dmfa/", views.dmfa_build, name="dmfa"),
    path("staff/belcotax/", views.belcotax_build, name="belcotax"),
    path("staff/dsn/", views.dsn_build, name="dsn"),
    path("staff/pas-rates/", views.pas_return_upload, name="pas_return"),
    path("staff/answers/", views.answer_upload, name="answer_upload"),
    path("staff/file/", views.filing_start, name="file"),
    path("staff/file/<uuid:public_id>/", views.filing, name="filing"),
    path("staff/file/<uuid:public_id>/progress/", views.filing_progress, name="filing_progress"),
    path("staff/<uuid:public_id>/", views.detail, name="detail"),
    path("staff/<uuid:public_id>/payload/", views.payload_download, name="payload"),
]
