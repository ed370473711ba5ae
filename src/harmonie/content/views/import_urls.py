"""The import / export page, under ``/content/import-export/`` in the ``content`` namespace."""

from django.urls import path

from harmonie.content.views import imports

urlpatterns = [
    path("", imports.import_export, name="import"),
    path("export/", imports.export, name="export"),
]
