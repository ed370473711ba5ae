"""Every write of the content domain."""

from harmonie.content.services.campaigns import campaign_create, campaign_launch_set, campaign_update
from harmonie.content.services.masters import (
    localization_adapt,
    localization_adopt,
    localization_decline,
    localization_request,
    master_create,
    master_update,
)
from harmonie.content.services.posts import (
    post_cancel,
    post_create,
    post_schedule,
    post_update,
)

__all__ = [
    "campaign_create",
    "campaign_launch_set",
    "campaign_update",
    "localization_adapt",
    "localization_adopt",
    "localization_decline",
    "localization_request",
    "master_create",
    "master_update",
    "post_cancel",
    "post_create",
    "post_schedule",
    "post_update",
]
