from django.urls import include, path

app_name = "content"

urlpatterns = [
    path("media/", include("harmonie.content.views.media_urls")),
    path("calendar/", include("harmonie.content.views.calendar_urls")),
    path("import-export/", include("harmonie.content.views.import_urls")),
    path("", include("harmonie.content.views.content_urls")),
]
