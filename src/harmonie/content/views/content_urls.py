"""The content pages, under ``/content/`` in the ``content`` namespace: campaigns, master content and its
localizations, the coverage grid, posts (with their live checks and preview)."""

from django.urls import path

from harmonie.content.views.pages import campaigns, masters, posts

urlpatterns = [
    # campaigns
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    # master and local content, localizations, coverage
    path("masters/", masters.master_list, name="masters"),
    path("masters/new/", masters.master_create, name="master_create"),
    path("masters/<int:pk>/", masters.master_detail, name="master"),
    path("masters/<int:pk>/edit/", masters.master_edit, name="master_edit"),
    path("masters/<int:pk>/localize/", masters.localization_request, name="localization_request"),
    path("masters/<int:pk>/languages/", masters.localization_languages, name="localization_languages"),
    path("localizations/<int:pk>/", masters.localization_detail, name="localization"),
    path("localizations/<int:pk>/adopt/", masters.localization_adopt, name="localization_adopt"),
    path("localizations/<int:pk>/adapt/", masters.localization_adapt, name="localization_adapt"),
    path("localizations/<int:pk>/decline/", masters.localization_decline, name="localization_decline"),
    path("coverage/", masters.coverage, name="coverage"),
    # posts
    path("posts/", posts.post_list, name="posts"),
    path("posts/new/", posts.post_create, name="post_create"),
    path("posts/new/channels/", posts.post_channels, name="post_channels"),
    path("posts/check/", posts.post_lint, name="post_lint"),
    path("posts/preview/", posts.post_preview, name="post_preview"),
    path("posts/<int:pk>/", posts.post_detail, name="post"),
    path("posts/<int:pk>/edit/", posts.post_edit, name="post_edit"),
    path("posts/<int:pk>/schedule/", posts.post_schedule, name="post_schedule"),
    path("posts/<int:pk>/cancel/", posts.post_cancel, name="post_cancel"),
]
