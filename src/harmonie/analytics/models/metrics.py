"""Collected metrics. ``PostMetricSnapshot``: a post's lifetime counts as the network gave them, one row per post
and day (the day in the channel's time zone; a later collection the same day updates the row). ``ChannelDailyStat``:
the channel's day, what dashboards read: followers at the end of the day and the interactions gained that day (the
increase of its posts' counts since their previous snapshot), so a year of 500 channels is 182,500 rows whatever
the number of posts. ``ChannelMonthlyStat``: the sums of a channel's days by calendar month (12 rows a year instead
of 365), which the dashboards read for the whole months of long periods; it is written with the days (the collection
service adds to both) or rebuilt from them (``services.collection.channel_months_rebuild``) after a bulk load of
days. ``PostCollection`` / ``ChannelCollection``: when each is next due (the schedule slows as posts
age). History is kept without time limit."""

from __future__ import annotations

from django.db import models

COUNTS = ("likes", "reposts", "replies", "quotes", "impressions", "views", "clicks", "saves")


class PostMetricSnapshot(models.Model):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="metric_snapshots")
    channel = models.ForeignKey("governance.Channel", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # in the channel's time zone
    captured_at = models.DateTimeField()
    # None: the network does not give this figure (not zero).
    likes = models.PositiveBigIntegerField(null=True, blank=True)
    reposts = models.PositiveBigIntegerField(null=True, blank=True)
    replies = models.PositiveBigIntegerField(null=True, blank=True)
    quotes = models.PositiveBigIntegerField(null=True, blank=True)
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    views = models.PositiveBigIntegerField(null=True, blank=True)
    clicks = models.PositiveBigIntegerField(null=True, blank=True)
    saves = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["post_id", "day"]
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="snapshot_one_per_post_day")]
        indexes = [models.Index(fields=["channel", "day"], name="snapshot_channel_day")]

    def __str__(self) -> str:
        return f"post {self.post_id} on {self.day}"


class ChannelDailyStat(models.Model):
    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("governance.Channel", on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField()  # in the channel's time zone
    followers = models.PositiveBigIntegerField(null=True, blank=True)  # at the end of the day; None: not read
    posts_published = models.PositiveIntegerField(default=0)
    # Gained that day (sums of increases); zero when the network gives nothing.
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    quotes = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    views = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    saves = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["channel_id", "day"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="daily_stat_one_per_channel_day")]
        indexes = [models.Index(fields=["organization", "day"], name="daily_stat_org_day")]

    def __str__(self) -> str:
        return f"channel {self.channel_id} on {self.day}"


class ChannelMonthlyStat(models.Model):
    """The sums of a channel's ``ChannelDailyStat`` days in one calendar month (days in the channel's time zone):
    posts published and the counts gained. No followers (a level, read from the days). Written only by the
    collection service with the days, or rebuilt from the days (``channel_months_rebuild``): never edit a day
    without either."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("governance.Channel", on_delete=models.CASCADE, related_name="monthly_stats")
    month = models.DateField()  # its first day
    posts_published = models.PositiveIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    quotes = models.PositiveBigIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    views = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    saves = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["channel_id", "month"]
        constraints = [models.UniqueConstraint(fields=["channel", "month"], name="monthly_stat_one_per_channel_month")]

    def __str__(self) -> str:
        return f"channel {self.channel_id} in {self.month:%Y-%m}"


class PostCollection(models.Model):
    """When a published post's metrics are next read: hourly the first day, daily for a month, weekly after."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField("content.Post", on_delete=models.CASCADE, related_name="metric_collection")
    channel = models.ForeignKey("governance.Channel", on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    next_due_at = models.DateTimeField(db_index=True)
    last_collected_at = models.DateTimeField(null=True, blank=True)
    collections = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)  # in a row
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["next_due_at", "pk"]

    def __str__(self) -> str:
        return f"collection of post {self.post_id}, next {self.next_due_at:%Y-%m-%d %H:%M}"


class ChannelCollection(models.Model):
    """When a channel's account figures (followers) are next read: daily."""

    organization = models.ForeignKey("governance.Organization", on_delete=models.CASCADE, related_name="+")
    channel = models.OneToOneField("governance.Channel", on_delete=models.CASCADE, related_name="metric_collection")
    next_due_at = models.DateTimeField(db_index=True)
    last_collected_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["next_due_at", "pk"]

    def __str__(self) -> str:
        return f"collection of channel {self.channel_id}"
