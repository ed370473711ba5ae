from django.urls import path

from harmonie.strategy.views import advisor, brand, cadence, charter, document, objectives, overview

app_name = "strategy"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("policy/", overview.policy_set, name="policy"),
    path("check/", overview.publication_check, name="check"),
    # objectives and KPIs
    path("objectives/", objectives.objective_list, name="objectives"),
    path("objectives/new/", objectives.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", objectives.objective_detail, name="objective"),
    path("objectives/<int:pk>/edit/", objectives.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/kpis/new/", objectives.kpi_create, name="kpi_create"),
    path("kpis/<int:pk>/edit/", objectives.kpi_edit, name="kpi_edit"),
    path("kpis/<int:pk>/delete/", objectives.kpi_delete, name="kpi_delete"),
    # audiences
    path("audiences/", objectives.audience_list, name="audiences"),
    path("audiences/new/", objectives.audience_create, name="audience_create"),
    path("audiences/<int:pk>/edit/", objectives.audience_edit, name="audience_edit"),
    path("audiences/<int:pk>/delete/", objectives.audience_delete, name="audience_delete"),
    # brand platform
    path("brand/", brand.brand, name="brand"),
    path("brand/platform/", brand.platform_edit, name="platform_edit"),
    path("brand/messages/new/", brand.key_message_create, name="key_message_create"),
    path("brand/messages/<int:pk>/edit/", brand.key_message_edit, name="key_message_edit"),
    path("brand/messages/<int:pk>/delete/", brand.key_message_delete, name="key_message_delete"),
    path("brand/messages/<int:pk>/adapt/", brand.key_message_adapt, name="key_message_adapt"),
    path("brand/pillars/", brand.pillars_edit, name="pillars_edit"),
    # editorial charter
    path("charter/", charter.charter, name="charter"),
    path("charter/lint/", charter.charter_lint, name="charter_lint"),
    path("charter/new/", charter.rule_create, name="rule_create"),
    path("charter/params/", charter.rule_params, name="rule_params"),
    path("charter/<int:pk>/edit/", charter.rule_edit, name="rule_edit"),
    path("charter/<int:pk>/delete/", charter.rule_delete, name="rule_delete"),
    # platform advisor
    path("advisor/", advisor.advisor_page, name="advisor"),
    # cadence and resources
    path("cadence/", cadence.cadence, name="cadence"),
    path("cadence/channels/<int:pk>/", cadence.cadence_edit, name="cadence_edit"),
    path("cadence/markets/<int:pk>/", cadence.cadence_panel, name="cadence_panel"),
    path("cadence/efforts/", cadence.efforts_set, name="efforts"),
    # strategy document
    path("document/", document.document_view, name="document"),
]
