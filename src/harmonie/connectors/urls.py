from django.urls import URLPattern, URLResolver, path

from harmonie.connectors import views

app_name = "connectors"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.connection_list, name="connections"),
    path("oauth/callback/", views.oauth_callback, name="oauth_callback"),
    path("apps/", views.app_list, name="apps"),
    path("apps/<str:network>/", views.app_edit, name="app_edit"),
    path("<int:pk>/bluesky/", views.connect_bluesky, name="connect_bluesky"),
    path("<int:pk>/mastodon/", views.connect_mastodon, name="connect_mastodon"),
    path("<int:pk>/oauth/", views.connect_oauth, name="connect_oauth"),
    path("<int:pk>/disconnect/", views.disconnect, name="disconnect"),
    path("<int:pk>/board/", views.pinterest_board, name="pinterest_board"),
]
