from django.urls import path

from . import views

app_name = "keyfigures"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.export, name="export"),
    path("keep/", views.store_request, name="store_request"),
    path("pdf/", views.pdf_request, name="pdf_request"),
    path("pdf/<uuid:public_id>/", views.pdf_status, name="pdf_status"),
    path("pdf/<uuid:public_id>/download/", views.pdf_download, name="pdf_download"),
]
