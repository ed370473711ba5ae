from django.urls import URLPattern, URLResolver, path

from harmonie.publishing import views

app_name = "publishing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("publications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("publications/<int:pk>/publish-again/", views.publish_again, name="publish_again"),
    path("publications/<int:pk>/first-comment/retry/", views.comment_retry, name="comment_retry"),
    path("media/<str:token>/", views.media, name="media"),
]
