"""Why a review step is there, stored language-neutral and put into words when read.

The submitter and the approver rarely read the same language: a reason is stored as ``{"code": ..., parameters}``
and described in the reader's language (the review page, the queue, the API, notifications).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from harmonie.governance.models import Network

Why = dict[str, object]


def describe_reason(why: Why) -> str:
    """``why`` in words, in the active language."""
    code = why.get("code")
    if code == "matrix":
        where = str(why.get("where") or "") or pgettext("matrix cell", "default")
        text = _("Governance matrix: %(dimension)s × %(where)s") % {"dimension": why.get("dimension"), "where": where}
    elif code == "network":
        network = str(why.get("network", ""))
        label = dict(Network.choices).get(network, network)
        text = _("Published on %(network)s") % {"network": label}
    elif code == "campaign":
        text = _("Part of the campaign “%(campaign)s”") % {"campaign": why.get("campaign")}
    elif code == "charter_warn":
        text = _("The charter warns: %(warnings)s") % {"warnings": why.get("warnings")}
    elif code == "figures":
        text = _("Contains figures or financial terms: %(figures)s") % {"figures": why.get("figures")}
    elif code == "crisis":
        text = _("Crisis in progress: %(crisis)s") % {"crisis": why.get("crisis")}
    else:
        text = str(why.get("text", ""))
    if why.get("escalated"):
        text = _("%(reason)s — escalated to the org admins: nobody else can approve this step here") % {"reason": text}
    return text
