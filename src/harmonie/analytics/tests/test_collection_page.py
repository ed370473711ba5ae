"""The collection status page: scoped to the member's markets, plain-words errors, a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from harmonie.accounts.models import User
from harmonie.analytics.models import PostCollection
from harmonie.analytics.services import collection as c
from harmonie.connectors.base import ConnectorError, ErrorKind
from harmonie.content.models import Post
from harmonie.governance.models import Channel

from .conftest import Script

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)


def test_status_page_scoped_with_errors_in_plain_words(
    client_for: Callable[[str], Client],
    script: Script,
    scripted_channel: Callable[..., Channel],
    published_post: Callable[..., Post],
) -> None:
    fr, de = scripted_channel("FR", handle="fr-scripted"), scripted_channel("DE", handle="de-scripted")
    published_post(fr, T0, "r1")
    published_post(fr, T0, "r2")
    c.collections_discover(now=T0)
    script.errors.append(ConnectorError(ErrorKind.TRANSIENT, "502 Bad Gateway"))
    c.post_metrics_collect(now=T0 + dt.timedelta(hours=1))

    # The French community manager (for the scope), reading the page in English (the texts asserted below).
    User.objects.filter(email="camille.durand@vireo.example").update(language="en")
    page = client_for("fr_community_manager").get(reverse("analytics:collection"))

    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="collection-{fr.pk}"' in html
    assert f'data-testid="collection-{de.pk}"' not in html  # another market's channel
    assert f'<td data-testid="collection-posts-{fr.pk}">2</td>' in html
    assert "2 posts not read" in html
    assert "scripted could not be read for now: 502 Bad Gateway" in html
    assert 'data-testid="nav-analytics-collection"' in html


def test_status_page_keeps_a_constant_number_of_queries(
    client_for: Callable[[str], Client],
    scripted_channel: Callable[..., Channel],
    published_post: Callable[..., Post],
    django_assert_num_queries: Callable[..., object],
) -> None:
    client = client_for("hq_admin")
    url = reverse("analytics:collection")
    client.get(url)  # warm the session and the caches
    channel = scripted_channel("FR")
    published_post(channel, T0, "r1")
    c.collections_discover(now=T0)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for code in ("DE", "US", "BR", "JP", "FR"):
        other = scripted_channel(code)
        for n in range(3):
            published_post(other, T0, f"{code}{n}")
    c.collections_discover(now=T0)
    PostCollection.objects.update(failures=1, last_error="Broken")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('data-testid="collection-posts-') >= 20
