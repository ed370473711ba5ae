from django.urls import include, path

app_name = "approvals"

urlpatterns = [
    path("", include("harmonie.approvals.views.review_urls")),
    path("circuits/", include("harmonie.approvals.views.circuit_urls")),
    path("crisis/", include("harmonie.approvals.views.crisis_urls")),
]
