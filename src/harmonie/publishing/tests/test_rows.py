"""The worker's batch writes (``services/rows.py``) store exactly what the ORM would, and refuse what it would."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction
from django.utils import timezone

from harmonie.content.models import Post
from harmonie.publishing.models import Publication
from harmonie.publishing.services.rows import insert_rows, update_each
from harmonie.publishing.testing.setup import due_posts


def _publication(post: Post, claimed_by: str) -> Publication:
    return Publication(
        organization_id=post.organization_id, post=post, channel_id=post.channel_id, status="claimed",
        due_at=timezone.now(), idempotency_key=f"key-{post.pk}", claimed_by=claimed_by, lease_until=timezone.now(),
    )  # fmt: skip


def test_inserted_and_updated_rows_read_back_as_written(fr_sink):
    first, second = due_posts(channel=fr_sink, count=2)
    made = insert_rows([_publication(first, "host-a:1:1"), _publication(second, "host-b:2:2")])
    assert [p.pk for p in made] == list(
        Publication.objects.filter(post__in=[first, second]).order_by("post_id").values_list("pk", flat=True)
    )
    update_each(Publication, {made[0].pk: {"remote_url": "https://sink.example/1"}, made[1].pk: {"remote_url": ""}},
                same={"status": "sending"}, where={"status": "claimed"})  # fmt: skip
    rows = Publication.objects.filter(pk__in=[p.pk for p in made]).order_by("pk")
    assert list(rows.values_list("claimed_by", "status", "remote_url")) == [
        ("host-a:1:1", "sending", "https://sink.example/1"),
        ("host-b:2:2", "sending", ""),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL enforces varchar lengths")
def test_a_value_too_long_for_its_column_is_refused_not_truncated(fr_sink):
    post = due_posts(channel=fr_sink, count=1)[0]
    too_long = "h" * 121  # claimed_by holds 120 characters: truncated, no compare-and-set would match it again
    with pytest.raises(DataError), transaction.atomic():
        insert_rows([_publication(post, too_long)])
    made = insert_rows([_publication(post, "host:1:1")])
    with pytest.raises(DataError), transaction.atomic():
        update_each(Publication, {made[0].pk: {"claimed_by": too_long}})
    assert Publication.objects.get(pk=made[0].pk).claimed_by == "host:1:1"
