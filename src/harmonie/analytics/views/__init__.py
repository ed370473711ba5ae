"""Analytics pages, one module per area; each module holds its own ``urlpatterns`` (joined in ``analytics/urls.py``)."""
