"""The import / export page: upload a CSV of posts (checked row by row by ``posts_import``, with a report), and
export the posts of a date range as a CSV of the same format, streamed.

The export's range is on each channel's wall clock: a post at 00:30 in Tokyo on the 1st is in a range that starts
on the 1st, whatever the UTC date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from harmonie.content import csv_io, selectors
from harmonie.content.models import Campaign, Post, PostStatus
from harmonie.content.services.imports import ImportMode, ImportReport, posts_import
from harmonie.content.timeutils import utc_to_local
from harmonie.governance import selectors as governance_selectors
from harmonie.governance.forms import MarketChoiceField
from harmonie.governance.models import Channel, Market
from harmonie.governance.permissions import Actor, Perm
from harmonie.governance.views import common

EXPORT_DEFAULT_DAYS = 28
EXPORT_MAX_DAYS = 366


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast("forms.ModelChoiceField[Model]", form.fields[name]).queryset = queryset


class _ChannelField(forms.ModelChoiceField[Channel]):
    def label_from_instance(self, obj: Channel) -> str:
        return f"{obj.display_name} ({obj.get_network_display()} · {obj.handle})"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=gettext_lazy(
            "UTF-8, comma or semicolon, a header first: market, channel, source, date, time; optional: status, "
            "text, link, first_comment, utm_campaign, utm_source, utm_medium. At most 5,000 rows and 5 MB."
        ),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=[
            (ImportMode.VALID_ROWS.value, gettext_lazy("Valid rows: save the rows that pass, list the others")),
            (ImportMode.ALL_OR_NOTHING.value, gettext_lazy("All or nothing: one bad row and nothing is saved")),
        ],
        initial=ImportMode.VALID_ROWS.value,
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row, save nothing"),
        required=False,
    )


class ExportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Included. Dates are read on each channel's clock."),
    )
    market = MarketChoiceField(
        label=gettext_lazy("Market"),
        queryset=Market.objects.none(),
        required=False,
        empty_label=gettext_lazy("All markets"),
    )
    channel = _ChannelField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        empty_label=gettext_lazy("All channels"),
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=gettext_lazy("All campaigns"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *PostStatus.choices],
        required=False,
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "market", governance_selectors.market_list(actor=actor))
        _set_queryset(self, "channel", governance_selectors.channel_list(actor=actor))
        _set_queryset(self, "campaign", selectors.campaign_list(actor=actor))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None:
            if end < start:
                self.add_error("end", _("The range ends before it starts."))
            elif (end - start).days >= EXPORT_MAX_DAYS:
                self.add_error("end", _("Export at most %(days)s days at once.") % {"days": EXPORT_MAX_DAYS})
        return data


def _export_form(actor: Actor, data: Any = None) -> ExportForm:
    today = timezone.localdate()
    initial = {"start": today, "end": today + dt.timedelta(days=EXPORT_DEFAULT_DAYS - 1)}
    return ExportForm(data, actor=actor, initial=initial)


def _page(
    request: HttpRequest, actor: Actor, *, form: ImportForm, export_form: ExportForm, report: ImportReport | None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    context = {
        "form": form,
        "export_form": export_form,
        "report": report,
        "can_import": actor.can(Perm.CONTENT_CREATE),
        "max_rows": csv_io.MAX_ROWS,
        "max_megabytes": csv_io.MAX_MEGABYTES,
        "columns": csv_io.EXPORT_COLUMNS,
    }
    template = "content/import.html#import_panel" if common.is_htmx(request) else "content/import.html"
    return render(request, template, context, status=status)


@common.member_required
@require_http_methods(["GET", "POST"])
def import_export(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    """GET: the upload and export forms. POST: check (and, unless a dry run, save) the uploaded rows and show the
    report; under HTMX only the upload panel is answered."""
    actor.require(Perm.CONTENT_VIEW)
    form = ImportForm(request.POST or None, request.FILES or None)

    def run(data: dict[str, Any]) -> ImportReport:
        upload = data["file"]
        csv_io.check_size(upload.size or 0)  # before reading it
        return posts_import(actor=actor, data=upload.read(), mode=data["mode"], dry_run=data["dry_run"])

    report, status = common.submit(request, form, run)
    if report is not None:
        form = ImportForm(initial={"mode": report.mode.value, "dry_run": report.dry_run})
    return _page(request, actor, form=form, export_form=_export_form(actor), report=report, status=status)


def _in_local_range(posts: QuerySet[Post], start: dt.date, end: dt.date) -> Iterator[Post]:
    for post in posts.iterator(chunk_size=500):
        if (
            post.scheduled_at is not None
            and start <= utc_to_local(post.scheduled_at, post.channel.timezone).date() <= end
        ):
            yield post


@common.member_required
@require_GET
def export(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    """The posts of the member's markets in a date range (on each channel's clock), filtered, as CSV in the
    import's format."""
    form = _export_form(actor, request.GET)
    if not form.is_valid():
        return _page(request, actor, form=ImportForm(), export_form=form, report=None, status=400)
    data = form.cleaned_data
    start: dt.date = data["start"]
    end: dt.date = data["end"]
    market, channel, campaign = data["market"], data["channel"], data["campaign"]
    # A day either side in UTC covers every zone (UTC-12 to UTC+14); the exact local range is kept below.
    posts = selectors.post_list(
        actor=actor,
        start=dt.datetime.combine(start - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        end=dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC),
        market_pk=market.pk if market else None,
        channel_pk=channel.pk if channel else None,
        campaign_pk=campaign.pk if campaign else None,
        status=data["status"] or None,
    ).filter(actor.market_q(Perm.CONTENT_VIEW, "market__path"))
    # Only the member's own markets: the cells the governance matrix opens to other markets are for reading in
    # the calendar; a file made for editing and importing back holds what the member may import.
    response = StreamingHttpResponse(
        csv_io.export_lines(_in_local_range(posts, start, end)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="posts-{start.isoformat()}-{end.isoformat()}.csv"'
    return response
