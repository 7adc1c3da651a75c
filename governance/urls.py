from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.member_index, name="member_index"),
    path("<uuid:public_id>/", views.assembly, name="assembly"),
    path("<uuid:public_id>/proxy/", views.proxy_sign, name="proxy_sign"),
    path("<uuid:public_id>/proxy/revoke/", views.proxy_revoke, name="proxy_revoke"),
    path("<uuid:public_id>/vote/<uuid:resolution_id>/<uuid:voter_id>/", views.vote, name="vote"),
    path(
        "<uuid:public_id>/election/<uuid:resolution_id>/stand/",
        views.candidacy_apply,
        name="candidacy_apply",
    ),
    path(
        "<uuid:public_id>/election/<uuid:resolution_id>/withdraw/",
        views.candidacy_withdraw,
        name="candidacy_withdraw",
    ),
    path("ballots/<uuid:public_id>/", views.ballots, name="ballots"),
    path("ballots/<uuid:public_id>/ballots.csv", views.ballots_csv, name="ballots_csv"),
    path("<uuid:public_id>/minutes.pdf", views.minutes, name="minutes"),
    path("<uuid:public_id>/documents/<uuid:document_id>/", views.document, name="document"),
    path(
        "staff/<uuid:public_id>/documents/",
        views.staff_document_attach,
        name="staff_document_attach",
    ),
    path(
        "staff/<uuid:public_id>/documents/<uuid:document_id>/",
        views.staff_document,
        name="staff_document",
    ),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:public_id>/", views.group, name="group"),
    path("groups/<uuid:public_id>/join/", views.group_join, name="group_join"),
    path("groups/recommendations/<uuid:public_id>/", views.recommendation, name="recommendation"),
    path(
        "groups/recommendations/<uuid:public_id>/support/",
        views.recommendation_support,
        name="recommendation_support",
    ),
    path("staff/groups/", views.staff_groups, name="staff_groups"),
    path("staff/groups/<uuid:public_id>/", views.staff_group, name="staff_group"),
    path(
        "staff/recommendations/<uuid:public_id>/answer/",
        views.staff_answer,
        name="staff_answer",
    ),
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/statutes/", views.staff_statutes, name="staff_statutes"),
    path("staff/<uuid:public_id>/", views.staff_assembly, name="staff_assembly"),
    path("staff/<uuid:public_id>/convene/", views.staff_convene, name="staff_convene"),
    path("staff/<uuid:public_id>/close/", views.staff_close, name="staff_close"),
    path("staff/<uuid:public_id>/voters.<str:fmt>", views.staff_voters, name="staff_voters"),
    path(
        "staff/<uuid:public_id>/attendance/<uuid:voter_id>/",
        views.staff_attendance,
        name="staff_attendance",
    ),
    path(
        "staff/<uuid:public_id>/room-vote/<uuid:voter_id>/",
        views.staff_room_vote,
        name="staff_room_vote",
    ),
    path("staff/<uuid:public_id>/election/", views.staff_election_add, name="staff_election_add"),
    path(
        "staff/<uuid:public_id>/candidacy/<uuid:candidacy_id>/",
        views.staff_candidacy,
        name="staff_candidacy",
    ),
    path("staff/<uuid:public_id>/minutes.pdf", views.staff_minutes, name="staff_minutes"),
]
