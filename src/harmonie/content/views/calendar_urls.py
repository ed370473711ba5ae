"""The editorial calendar, under ``/content/calendar/`` in the ``content`` namespace."""

from django.urls import path

from harmonie.content.views import calendar, calendar_feeds

urlpatterns = [
    path("", calendar.calendar, name="calendar"),
    path("move/", calendar.calendar_move, name="calendar_move"),
    path("feeds/", calendar_feeds.calendar_feeds, name="calendar_feeds"),
    path("feeds/<int:pk>/revoke/", calendar_feeds.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("ical/<str:token>.ics", calendar_feeds.ical, name="ical"),
]
