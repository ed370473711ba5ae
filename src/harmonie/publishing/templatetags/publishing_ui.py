"""The post page's publication panel: ``{% include "publishing/_post_publication.html" %}`` loads this and asks
for the post's publications (scoped to the member viewing the page)."""

from __future__ import annotations

from typing import Any

from django import template

from harmonie.publishing import selectors
from harmonie.publishing.models import Publication

register = template.Library()


@register.simple_tag(takes_context=True)
def post_publications(context: dict[str, Any], post: Any) -> list[Publication]:
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if actor is None or post is None:
        return []
    return selectors.post_publications(actor=actor, post=post)
