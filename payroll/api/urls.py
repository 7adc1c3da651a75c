from django.urls import path

from . import views

urlpatterns = [
    path("tax-profile/", views.TaxProfileView.as_view(), name="api_payroll_tax_profile"),
]
