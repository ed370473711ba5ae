from django.urls import path

from harmonie.approvals.views import circuits

urlpatterns = [
    path("", circuits.circuit_list, name="circuits"),
    path("new/", circuits.circuit_create, name="circuit_create"),
    path("<int:pk>/", circuits.circuit_edit, name="circuit_edit"),
    path("<int:pk>/delete/", circuits.circuit_delete, name="circuit_delete"),
    path("conditions/", circuits.condition_add, name="condition_add"),
    path("conditions/<int:pk>/remove/", circuits.condition_remove, name="condition_remove"),
]
