"""One-voice reports: what a localization or a post says compared with its master."""

# No "from __future__ import annotations": Ninja reads the parameter types at import time.
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from harmonie.approvals.consistency import VoiceChecker, VoiceReport
from harmonie.approvals.onevoice import Figure
from harmonie.content import selectors as content_selectors
from harmonie.core.api_auth import ERRORS, actor_of
from harmonie.core.errors import NotFound

router = Router(tags=["approvals"])


class CheckOut(Schema):
    item: str
    status: str
    found: str | None = None


class FigureOut(Schema):
    text: str
    kind: str
    value: Decimal
    unit: str | None
    status: str
    found: str | None = None


class OneVoiceOut(Schema):
    score: int
    grade: str
    reasons: list[str]
    key_messages: list[CheckOut]
    figures: list[FigureOut]
    extra_figures: list[str]
    links: list[CheckOut]
    hashtags: list[CheckOut]
    names: list[CheckOut]
    charter_blocks: int
    charter_warnings: int
    notes: list[str]


def _figure(figure: Figure, status: str, found: Figure | None) -> FigureOut:
    return FigureOut(text=figure.text, kind=str(figure.kind), value=figure.value, unit=figure.unit, status=status,
                     found=found.text if found else None)  # fmt: skip


def _out(voice: VoiceReport | None) -> OneVoiceOut:
    if voice is None:
        raise NotFound(
            _("No one-voice report: only adopted or adapted localizations, and posts made from them, have one.")
        )
    r = voice.report
    return OneVoiceOut(
        score=r.score, grade=str(r.grade), reasons=list(r.reasons),
        key_messages=[CheckOut(item=c.key_message.label, status=str(c.status),
                               found=f"{c.found}/{c.total}") for c in r.key_messages],
        figures=[_figure(c.figure, str(c.status), c.found) for c in r.figures],
        extra_figures=[f.text for f in r.extra_figures],
        links=[CheckOut(item=c.url, status=str(c.status), found=c.found) for c in r.links],
        hashtags=[CheckOut(item=c.tag, status=str(c.status), found=c.found) for c in r.hashtags],
        names=[CheckOut(item=c.name, status=str(c.status), found=", ".join(c.found) or None) for c in r.names],
        charter_blocks=r.charter_blocks, charter_warnings=r.charter_warnings, notes=voice.notes,
    )  # fmt: skip


@router.get("/one-voice/localizations/{localization_id}", response={200: OneVoiceOut, **ERRORS},
            summary="One-voice report of a localization")  # fmt: skip
def localization_report(request: HttpRequest, localization_id: int) -> OneVoiceOut:
    """Key messages, figures (read the local way), links and hashtags, brand names and charter findings of an
    adopted or adapted localization compared with its master, with the score and every deduction."""
    actor = actor_of(request)
    localization = content_selectors.localization_get(actor=actor, pk=localization_id)
    return _out(VoiceChecker(actor).localization(localization))


@router.get("/one-voice/posts/{post_id}", response={200: OneVoiceOut, **ERRORS},
            summary="One-voice report of a post")  # fmt: skip
def post_report(request: HttpRequest, post_id: int) -> OneVoiceOut:
    """The same report for a post made from a localization (local content has no master to compare with)."""
    actor = actor_of(request)
    return _out(VoiceChecker(actor).post(content_selectors.post_get(actor=actor, pk=post_id)))
