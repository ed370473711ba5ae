from django.urls import path

from harmonie.governance.views import audit, channels, dashboard, markets, matrix, members

app_name = "governance"

_cell = "governance/cells/<int:dimension_pk>/<int:market_pk>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # markets and teams
    path("markets/", markets.market_list, name="markets"),
    path("markets/new/", markets.market_create, name="market_create"),
    path("markets/<int:pk>/edit/", markets.market_edit, name="market_edit"),
    path("teams/", markets.team_list, name="teams"),
    path("teams/new/", markets.team_create, name="team_create"),
    path("teams/<int:pk>/edit/", markets.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", markets.team_delete, name="team_delete"),
    # members, roles, invitations
    path("members/", members.member_list, name="members"),
    path("members/invitations/", members.invitation_list, name="invitations"),
    path("members/invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation_revoke"),
    path("members/<int:pk>/", members.member_detail, name="member"),
    path("members/<int:pk>/roles/", members.member_role_assign, name="member_role_assign"),
    path("members/<int:pk>/roles/<int:role_pk>/revoke/", members.member_role_revoke, name="member_role_revoke"),
    # dimensions and the governance matrix
    path("dimensions/", matrix.dimension_list, name="dimensions"),
    path("dimensions/new/", matrix.dimension_create, name="dimension_create"),
    path("dimensions/<int:pk>/edit/", matrix.dimension_edit, name="dimension_edit"),
    path("dimensions/<int:pk>/delete/", matrix.dimension_delete, name="dimension_delete"),
    path("governance/", matrix.matrix, name="matrix"),
    path("governance/preset/", matrix.preset_apply, name="preset_apply"),
    path(_cell, matrix.cell, name="cell"),
    path(_cell + "edit/", matrix.cell_edit, name="cell_edit"),
    path(_cell + "clear/", matrix.cell_clear, name="cell_clear"),
    # channels and budgets
    path("channels/", channels.channel_list, name="channels"),
    path("channels/new/", channels.channel_create, name="channel_create"),
    path("channels/<int:pk>/edit/", channels.channel_edit, name="channel_edit"),
    path("budgets/", channels.budget_list, name="budgets"),
    path("budgets/new/", channels.budget_create, name="budget_create"),
    path("budgets/<int:pk>/edit/", channels.budget_edit, name="budget_edit"),
    path("budgets/<int:pk>/delete/", channels.budget_delete, name="budget_delete"),
    # audit log (read only)
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
]
