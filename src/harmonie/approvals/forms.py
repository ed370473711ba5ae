"""Forms of the review pages. They only parse input; the workflow and external-link services validate and decide
(a comment is required to request changes or reject: the service says so, on the comment field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from harmonie.approvals.models import ReviewVerb
from harmonie.approvals.services.external import MAX_DAYS

REVIEW_VERB_CHOICES = [
    (ReviewVerb.APPROVE.value, _("Approve")),
    (ReviewVerb.REQUEST_CHANGES.value, _("Request changes")),
    (ReviewVerb.REJECT.value, _("Reject")),
    (ReviewVerb.COMMENT.value, pgettext_lazy("review verb", "Comment")),
]


class ReviewForm(forms.Form):
    """One review move on a post: the button pressed (``verb``) and the comment typed above the buttons."""

    verb = forms.ChoiceField(label=_("Decision"), choices=REVIEW_VERB_CHOICES)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "review-comment"}),
        help_text=_("Required to request changes or to reject: say what should change, or why."),
    )


class ExternalLinkForm(forms.Form):
    """A review link for one person outside the organization."""

    reviewer_name = forms.CharField(
        label=_("Reviewer's name"), max_length=200, widget=forms.TextInput(attrs={"data-testid": "link-name"})
    )
    reviewer_email = forms.EmailField(
        label=_("Reviewer's e-mail"), required=False, widget=forms.EmailInput(attrs={"data-testid": "link-email"})
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=7,
        widget=forms.NumberInput(attrs={"data-testid": "link-days"}),
    )
