from django.urls import path

from harmonie.approvals.views import review

urlpatterns = [
    path("", review.queue, name="queue"),
    path("notifications/", review.notification_list, name="notifications"),
    path("notifications/read/", review.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", review.notification_open, name="notification_open"),
    path("posts/<int:pk>/", review.post_review, name="post"),
    path("posts/<int:pk>/review/", review.post_act, name="post_act"),
    path("posts/<int:pk>/submit/", review.post_submit, name="post_submit"),
    path("posts/<int:pk>/withdraw/", review.post_withdraw, name="post_withdraw"),
    path("posts/<int:pk>/rework/", review.post_rework, name="post_rework"),
    path("posts/<int:pk>/links/", review.link_create, name="link_create"),
    path("posts/<int:pk>/links/<int:link_pk>/revoke/", review.link_revoke, name="link_revoke"),
    # No account: the token in the address is the credential.
    path("external/<str:token>/", review.external, name="external"),
    path("external/<str:token>/posts/<int:post_id>/", review.external_post, name="external_post"),
]
