from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MyProfileView.as_view(), name="api_members_me"),
    path("me/shares/", views.MySharesView.as_view(), name="api_members_my_shares"),
    path("", views.PortfolioView.as_view(), name="api_members_portfolio"),
    path("<uuid:public_id>/", views.MemberDetailView.as_view(), name="api_members_detail"),
]
