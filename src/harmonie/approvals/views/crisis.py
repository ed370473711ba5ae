"""Crisis mode: the console (active crises, past ones, declaring one), a crisis's page (held posts to release,
reschedule or cancel, holding statements to publish, notes, ending it, and the after-action report with its
CSV timeline), and the library of holding statements."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from harmonie.approvals import selectors
from harmonie.approvals.crisis_forms import (
    DeclareForm,
    EndForm,
    LanguageFilterForm,
    NoteForm,
    PublishForm,
    RescheduleForm,
    StatementForm,
    manageable_channels,
)
from harmonie.approvals.models import Crisis, CrisisEventKind, CrisisStatus, HoldingStatement
from harmonie.approvals.resolution import crisis_covers
from harmonie.approvals.selectors import CrisisReport
from harmonie.approvals.services import crisis as services
from harmonie.content import selectors as content_selectors
from harmonie.content.models import Post
from harmonie.content.states import PostStatus
from harmonie.content.timeutils import local_to_utc, utc_to_local
from harmonie.core.errors import DomainError, NotFound
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.models import Channel
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

CSV_HEADER = ["time", "time_zone", "event", "event_label", "actor", "post", "channel", "market", "detail"]
# Cells a spreadsheet would read as a formula: the report's CSV prefixes them with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The report's counts, in this order: (event kind, name, label).
COUNTED = [
    (CrisisEventKind.HELD, "held", gettext_lazy("Posts put on hold")),
    (CrisisEventKind.RELEASED, "released", gettext_lazy("Released")),
    (CrisisEventKind.RESCHEDULED, "rescheduled", gettext_lazy("Rescheduled")),
    (CrisisEventKind.CANCELLED, "cancelled", pgettext_lazy("crisis report count", "Cancelled")),
    (CrisisEventKind.STATEMENT, "statements", gettext_lazy("Holding statements published")),
]


# --- presentation helpers -------------------------------------------------------------------------


def duration_label(delta: dt.timedelta | None) -> str:
    """``5 h 00 min``, ``14 min``, ``2 d 3 h 05 min``; empty for None."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h %(m)02d min") % {"d": days, "h": hours, "m": mins}
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}


def scope_label(crisis: Crisis) -> str:
    markets = [m.name for m in crisis.markets.all()]
    channels = [str(c) for c in crisis.channels.all()]
    if not markets and not channels:
        return _("Whole organization")
    return ", ".join([*markets, *channels])


def can_manage(actor: Actor, crisis: Crisis) -> bool:
    """Whether the crisis services will let the actor act on this crisis (they check again)."""
    markets = list(crisis.markets.all())
    channels = list(crisis.channels.select_related("owner_market"))
    if not markets and not channels:
        return actor.can_globally(Perm.CRISIS_MANAGE)
    return all(actor.can(Perm.CRISIS_MANAGE, m) for m in markets) and all(
        actor.can(Perm.CRISIS_MANAGE, c.owner_market) for c in channels
    )


def _status_label(status: str) -> str:
    return str(PostStatus(status).label) if status in PostStatus.values else status


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


# --- the console ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrisisRow:
    crisis: Crisis
    scope: str
    on_hold: int = 0
    duration: str = ""


def _console_page(
    request: HttpRequest, actor: Actor, *, form: DeclareForm | None = None, status: int = 200
) -> HttpResponse:
    crises = list(selectors.crisis_list(actor=actor).select_related("declared_by", "ended_by"))
    active = [
        CrisisRow(crisis=c, scope=scope_label(c), on_hold=len(selectors.held_posts(c)))
        for c in crises
        if c.status == CrisisStatus.ACTIVE
    ]
    past = [
        CrisisRow(
            crisis=c, scope=scope_label(c), duration=duration_label(c.ended_at - c.declared_at if c.ended_at else None)
        )
        for c in crises
        if c.status == CrisisStatus.ENDED
    ]
    can_declare = actor.can(Perm.CRISIS_MANAGE)
    context = {
        "active": active,
        "past": past,
        "form": (form or DeclareForm(actor=actor)) if can_declare else None,
    }
    return render(request, "approvals/crisis_console.html", context, status=status)


@common.member_required
@require_http_methods(["GET"])
def console(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _console_page(request, actor)


@common.member_required
@require_POST
def declare(request: HttpRequest, actor: Actor) -> HttpResponse:
    actor.require(Perm.CRISIS_MANAGE)
    form = DeclareForm(request.POST, actor=actor)

    def run(data: dict[str, Any]) -> tuple[Crisis, list[Post]]:
        return services.crisis_declare(
            actor=actor, title=data["title"], reason=data["reason"], markets=list(data["markets"]),
            channels=list(data["channels"]), circuit=data["circuit"],
        )  # fmt: skip

    result, status = common.submit(request, form, run)
    if result is not None:
        crisis, held = result
        messages.warning(
            request,
            ngettext("Crisis declared: %(n)s post put on hold.", "Crisis declared: %(n)s posts put on hold.", len(held))
            % {"n": len(held)},
        )
        return redirect("approvals:crisis", pk=crisis.pk)
    return _console_page(request, actor, form=form, status=status)


# --- a crisis's page ----------------------------------------------------------------------------------


@dataclass
class HeldRow:
    post: Post
    held_from: str
    form: RescheduleForm
    error: str = ""


@dataclass
class StatementRow:
    statement: HoldingStatement
    form: PublishForm


@dataclass
class PageState:
    """What a refused action puts back on the page: its bound form and the reason."""

    status: int = 200
    error: str = ""
    reschedule: dict[int, RescheduleForm] = field(default_factory=dict)
    held_errors: dict[int, str] = field(default_factory=dict)
    publish: dict[int, PublishForm] = field(default_factory=dict)
    note: NoteForm | None = None
    end: EndForm | None = None


def _reschedule_form(post: Post, data: Any = None) -> RescheduleForm:
    initial: dict[str, Any] = {}
    if post.scheduled_at is not None:
        local = utc_to_local(post.scheduled_at, post.channel.timezone)
        initial = {"scheduled_date": local.date(), "scheduled_time": local.time().replace(second=0, microsecond=0)}
    return RescheduleForm(data, initial=initial, auto_id=f"id_post{post.pk}_%s")


def _publish_form(statement: HoldingStatement, channels: list[Channel], data: Any = None) -> PublishForm:
    return PublishForm(data, channels=channels, auto_id=f"id_statement{statement.pk}_%s")


def publish_channels(actor: Actor, crisis: Crisis) -> list[Channel]:
    """Channels a holding statement may go out on: in the crisis's scope, managed by the actor."""
    return [c for c in manageable_channels(actor) if crisis_covers(crisis, market=c.owner_market, channel_id=c.pk)]


def _report_context(report: CrisisReport) -> dict[str, Any]:
    kinds = [k for k in CrisisEventKind if report.counts.get(k.value, 0)]
    return {
        "report": report,
        "counts": [(name, label, report.counts.get(kind, 0)) for kind, name, label in COUNTED],
        "duration": duration_label(report.duration),
        "first_statement": duration_label(report.first_statement_after),
        "kind_bars": common.bars(kinds, label=lambda k: str(k.label), value=lambda k: report.counts[k.value]),
    }


def _crisis_page(request: HttpRequest, actor: Actor, crisis: Crisis, state: PageState | None = None) -> HttpResponse:
    state = state or PageState()
    report = selectors.crisis_report(actor=actor, crisis=crisis)
    is_active = crisis.status == CrisisStatus.ACTIVE
    manage = is_active and can_manage(actor, crisis)
    context: dict[str, Any] = {
        "crisis": crisis,
        "scope": scope_label(crisis),
        "is_active": is_active,
        "can_manage": manage,
        "error": state.error,
        **_report_context(report),
    }
    if is_active:
        context["held"] = [
            HeldRow(
                post=p,
                held_from=_status_label(p.held_from),
                form=state.reschedule.get(p.pk) or _reschedule_form(p),
                error=state.held_errors.get(p.pk, ""),
            )
            for p in report.still_on_hold
        ]
        statements = selectors.statement_list(actor=actor)
        filters = LanguageFilterForm(
            request.GET or None, languages=statements.values_list("language", flat=True).distinct()
        )
        language = filters.cleaned_data["language"] if filters.is_valid() else ""
        if language:
            statements = statements.filter(language=language)
        channels = publish_channels(actor, crisis) if manage else []
        context |= {
            "filters": filters,
            "statements": [
                StatementRow(statement=s, form=state.publish.get(s.pk) or _publish_form(s, channels))
                for s in statements.order_by("language", "title")
            ],
            "note_form": state.note or NoteForm(),
            "end_form": state.end or EndForm(),
        }
    return render(request, "approvals/crisis.html", context, status=state.status)


def _timeline_csv(actor: Actor, crisis: Crisis) -> HttpResponse:
    report = selectors.crisis_report(actor=actor, crisis=crisis)
    zone = timezone.get_current_timezone()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="crisis-{crisis.pk}-timeline.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for event in report.events:
        post = event.post
        row = [
            timezone.localtime(event.at, zone).isoformat(timespec="seconds"),
            timezone.get_current_timezone_name(),
            event.kind,
            event.get_kind_display(),
            event.actor_label,
            post.pk if post else "",
            str(post.channel) if post else "",
            post.market.code if post else "",
            event.detail,
        ]
        writer.writerow([_safe_cell(cell) for cell in row])
    return response


@common.member_required
@require_http_methods(["GET"])
def crisis_detail(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    crisis = selectors.crisis_get(actor=actor, pk=pk)
    if request.GET.get("format") == "csv":
        return _timeline_csv(actor, crisis)
    return _crisis_page(request, actor, crisis)


def _back(crisis: Crisis, anchor: str = "") -> HttpResponse:
    return redirect(reverse("approvals:crisis", kwargs={"pk": crisis.pk}) + (f"#{anchor}" if anchor else ""))


def _held_post(actor: Actor, post_pk: int) -> Post:
    return content_selectors.post_get(actor=actor, pk=post_pk)


def _post_action(
    request: HttpRequest, actor: Actor, pk: int, post_pk: int, act: Callable[[Crisis, Post], str]
) -> HttpResponse:
    crisis = selectors.crisis_get(actor=actor, pk=pk)
    post = _held_post(actor, post_pk)
    try:
        message = act(crisis, post)
    except DomainError as exc:
        state = PageState(status=exc.status_code, error=exc.message, held_errors={post.pk: exc.message})
        return _crisis_page(request, actor, crisis, state)
    messages.success(request, message)
    return _back(crisis, "held")


@common.member_required
@require_POST
def post_release(request: HttpRequest, actor: Actor, pk: int, post_pk: int) -> HttpResponse:
    def act(crisis: Crisis, post: Post) -> str:
        done = services.crisis_release(actor=actor, crisis=crisis, post=post)
        return _("Post released: it is %(status)s.") % {"status": _status_label(done.status).lower()}

    return _post_action(request, actor, pk, post_pk, act)


@common.member_required
@require_POST
def post_cancel(request: HttpRequest, actor: Actor, pk: int, post_pk: int) -> HttpResponse:
    def act(crisis: Crisis, post: Post) -> str:
        services.crisis_cancel_post(actor=actor, crisis=crisis, post=post)
        return _("Post cancelled: it will not be published.")

    return _post_action(request, actor, pk, post_pk, act)


@common.member_required
@require_POST
def post_reschedule(request: HttpRequest, actor: Actor, pk: int, post_pk: int) -> HttpResponse:
    crisis = selectors.crisis_get(actor=actor, pk=pk)
    post = _held_post(actor, post_pk)
    form = _reschedule_form(post, request.POST)

    def run(data: dict[str, Any]) -> Post:
        at = local_to_utc(data["scheduled_date"], data["scheduled_time"], post.channel.timezone)
        return services.crisis_reschedule(actor=actor, crisis=crisis, post=post, scheduled_at=at)

    done, status = common.submit(request, form, run)
    if done is None:
        return _crisis_page(request, actor, crisis, PageState(status=status, reschedule={post.pk: form}))
    messages.success(
        request,
        _("Post rescheduled: %(status)s, %(time)s (%(zone)s).")
        % {
            "status": _status_label(done.status).lower(),
            "time": utc_to_local(done.scheduled_at, done.channel.timezone).strftime("%Y-%m-%d %H:%M")
            if done.scheduled_at
            else "",
            "zone": done.channel.timezone,
        },
    )
    return _back(crisis, "held")


@common.member_required
@require_POST
def statement_publish(request: HttpRequest, actor: Actor, pk: int, statement_pk: int) -> HttpResponse:
    crisis = selectors.crisis_get(actor=actor, pk=pk)
    statement = selectors.statement_list(actor=actor).filter(pk=statement_pk).first()
    if statement is None:
        raise NotFound(_("No such holding statement."))
    form = _publish_form(statement, publish_channels(actor, crisis), request.POST)

    def run(data: dict[str, Any]) -> list[Post]:
        return services.statement_publish(
            actor=actor, crisis=crisis, statement=statement, channels=list(data["channels"])
        )

    posts, status = common.submit(request, form, run)
    if posts is None:
        return _crisis_page(request, actor, crisis, PageState(status=status, publish={statement.pk: form}))
    messages.success(
        request,
        ngettext(
            "Holding statement scheduled on %(n)s channel, to go out within a minute.",
            "Holding statement scheduled on %(n)s channels, to go out within a minute.",
            len(posts),
        )
        % {"n": len(posts)},
    )
    return _back(crisis, "statements")


@common.member_required
@require_POST
def note_add(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    crisis = selectors.crisis_get(actor=actor, pk=pk)
    form = NoteForm(request.POST)

    def note(data: dict[str, Any]) -> object:
        return services.crisis_note(actor=actor, crisis=crisis, text=data["text"])

    event, status = common.submit(request, form, note)
    if event is None:
        return _crisis_page(request, actor, crisis, PageState(status=status, note=form))
    messages.success(request, _("Note added to the timeline."))
    return _back(crisis, "timeline")


@common.member_required
@require_POST
def crisis_end(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    crisis = selectors.crisis_get(actor=actor, pk=pk)
    form = EndForm(request.POST)

    def end(data: dict[str, Any]) -> Crisis:
        return services.crisis_end(actor=actor, crisis=crisis, summary=data["summary"])

    ended, status = common.submit(request, form, end)
    if ended is None:
        state = PageState(status=status, end=form, error=" ".join(str(e) for e in form.non_field_errors()))
        return _crisis_page(request, actor, crisis, state)
    messages.success(request, _("Crisis ended: posts in its scope follow their usual review again."))
    return _back(ended)


# --- holding statements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementGridRow:
    title: str
    cells: list[HoldingStatement | None]


@common.member_required
@require_http_methods(["GET"])
def statement_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    statements = list(selectors.statement_list(actor=actor, active_only=False))
    languages = sorted({s.language for s in statements})
    by_key = {(s.title, s.language): s for s in statements}
    titles = sorted({s.title for s in statements}, key=str.casefold)
    rows = [StatementGridRow(title=t, cells=[by_key.get((t, lang)) for lang in languages]) for t in titles]
    context = {
        "languages": languages,
        "rows": rows,
        "count": len(statements),
        "can_edit": actor.can_globally(Perm.CONTENT_APPROVE),
    }
    return render(request, "approvals/statements.html", context)


def _statement_form_page(request: HttpRequest, actor: Actor, statement: HoldingStatement | None) -> HttpResponse:
    actor.require_global(Perm.CONTENT_APPROVE)
    initial: dict[str, Any] | None = StatementForm.initial_for(statement) if statement else None
    if statement is None:
        crisis_dimension = governance_selectors.dimension_list(actor=actor).filter(key="crisis").first()
        initial = {"dimension": crisis_dimension.pk} if crisis_dimension else None
    form = StatementForm(request.POST or None, initial=initial, actor=actor)

    def save(data: dict[str, Any]) -> HoldingStatement:
        return services.statement_save(
            actor=actor, statement=statement, title=data["title"], language=data["language"], text=data["text"],
            dimension=data["dimension"],
        )  # fmt: skip

    saved, status = common.submit(request, form, save)
    if saved is not None:
        messages.success(
            request, _("Holding statement saved: %(title)s (%(language)s).") % {
                "title": saved.title, "language": saved.language,
            },
        )  # fmt: skip
        return redirect("approvals:statements")
    return render(request, "approvals/statement_form.html", {"form": form, "statement": statement}, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def statement_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _statement_form_page(request, actor, None)


@common.member_required
@require_http_methods(["GET", "POST"])
def statement_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    statement = selectors.statement_list(actor=actor, active_only=False).filter(pk=pk).first()
    if statement is None:
        raise NotFound(_("No such holding statement."))
    return _statement_form_page(request, actor, statement)
