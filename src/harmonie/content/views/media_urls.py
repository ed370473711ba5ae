"""The media library, under ``/content/media/`` in the ``content`` namespace."""

from django.urls import path

from harmonie.content.views import media

urlpatterns = [
    path("", media.media_library, name="media"),
    path("upload/", media.media_upload, name="media_upload"),
    path("<int:pk>/edit/", media.media_edit, name="media_edit"),
    path("<int:pk>/delete/", media.media_delete, name="media_delete"),
    path("<int:pk>/file/", media.media_file, name="media_file"),
    path("<int:pk>/thumbnail/", media.media_thumbnail, name="media_thumbnail"),
]
