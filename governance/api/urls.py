from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/", views.AssemblyListView.as_view(), name="api_governance_assemblies"),
    path(
        "assemblies/<uuid:public_id>/",
        views.AssemblyDetailView.as_view(),
        name="api_governance_assembly",
    ),
    path(
        "assemblies/<uuid:public_id>/results/",
        views.ResultsView.as_view(),
        name="api_governance_results",
    ),
    path(
        "assemblies/<uuid:public_id>/resolutions/<uuid:resolution_id>/votes/",
        views.VoteView.as_view(),
        name="api_governance_vote",
    ),
]
