from django.urls import path

from harmonie.approvals.views import crisis

urlpatterns = [
    path("", crisis.console, name="crisis_console"),
    path("declare/", crisis.declare, name="crisis_declare"),
    path("statements/", crisis.statement_list, name="statements"),
    path("statements/new/", crisis.statement_create, name="statement_create"),
    path("statements/<int:pk>/edit/", crisis.statement_edit, name="statement_edit"),
    path("<int:pk>/", crisis.crisis_detail, name="crisis"),
    path("<int:pk>/posts/<int:post_pk>/release/", crisis.post_release, name="crisis_release"),
    path("<int:pk>/posts/<int:post_pk>/reschedule/", crisis.post_reschedule, name="crisis_reschedule"),
    path("<int:pk>/posts/<int:post_pk>/cancel/", crisis.post_cancel, name="crisis_cancel_post"),
    path("<int:pk>/statements/<int:statement_pk>/publish/", crisis.statement_publish, name="crisis_statement_publish"),
    path("<int:pk>/note/", crisis.note_add, name="crisis_note"),
    path("<int:pk>/end/", crisis.crisis_end, name="crisis_end"),
]
