"""Scheduled reports: weekly or monthly, for the organization or one market, as HTML and PDF, e-mailed to a list.

The period is the last full week (Monday to Sunday) or calendar month in the market's time zone (Global's zone for
the organization). ``report_schedules_run_due`` is called every minute by the analytics scheduler: for each due
schedule it claims the period with a ``ReportDelivery`` row (unique per schedule and period, so two workers never
send the same report twice), moves the schedule on to its next run (Monday or the first of the month, 07:00 in the
market's zone), then renders and sends the report; a failure is written on the delivery, the schedule goes on."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from harmonie.analytics import charts
from harmonie.analytics.dictionary import INTERACTIONS, network_metrics
from harmonie.analytics.kpis import (
    Chart,
    Dashboard,
    Figures,
    KPIResult,
    ObjectiveResult,
    Scope,
    load_figures,
    objectives_dashboard,
    resolve_scope,
)
from harmonie.analytics.kpis.compute import (
    days_between,
    engagement_rate,
    first_party_clicks_count,
    follower_growth,
    mean_rate,
    q2,
)
from harmonie.analytics.models import PostMetricSnapshot, ReportDelivery, ReportSchedule
from harmonie.analytics.models.reports import Frequency
from harmonie.analytics.models.tracking import LinkPurpose
from harmonie.content.states import PostStatus
from harmonie.core.audit import audit_record, snapshot
from harmonie.core.errors import NotFound, NotPermitted, ValidationFailed
from harmonie.governance.models import Market, Member, Organization
from harmonie.governance.permissions import Actor, Perm, actor_for
from harmonie.strategy.models import CadenceTarget

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
LANGUAGES = ("en", "fr")
SEND_HOUR = 7
_AUDITED = ["name", "market", "frequency", "recipients", "language", "is_active", "created_by"]


# Periods and runs ---------------------------------------------------------------------------------------------------


def report_zone(*, organization: Organization, market: Market | None) -> ZoneInfo:
    """The market's zone; the organization's report reads Global's."""
    if market is not None:
        return ZoneInfo(market.timezone)
    root = Market.objects.get(organization=organization, parent__isnull=True)
    return ZoneInfo(root.timezone)


def report_period(*, frequency: str, zone: ZoneInfo, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The last full week (Monday-Sunday) or calendar month before ``now``, in ``zone``."""
    today = now.astimezone(zone).date()
    if frequency == Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def report_next_run(*, frequency: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The first Monday (weekly) or first day of a month (monthly) at 07:00 in ``zone`` strictly after ``now``."""
    local = now.astimezone(zone)
    day = local.date()
    while True:
        if (frequency == Frequency.WEEKLY and day.weekday() == 0) or (frequency == Frequency.MONTHLY and day.day == 1):
            candidate = dt.datetime.combine(day, dt.time(SEND_HOUR), tzinfo=zone)
            if candidate > local:
                return candidate.astimezone(dt.UTC)
        if frequency == Frequency.MONTHLY:
            day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        else:
            day += dt.timedelta(days=7 - day.weekday()) if day.weekday() else dt.timedelta(days=7)


# Schedules ----------------------------------------------------------------------------------------------------------


def _clean_recipients(recipients: Sequence[str] | str) -> list[str]:
    items = recipients.replace(";", ",").replace("\n", ",").split(",") if isinstance(recipients, str) else recipients
    cleaned: list[str] = []
    for raw in items:
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                _("“%(address)s” is not an e-mail address. Write one address per line (or separate them with commas).")
                % {"address": address[:200]},
                field="recipients",
            ) from None
        if address.lower() not in {a.lower() for a in cleaned}:
            cleaned.append(address)
    if not cleaned:
        raise ValidationFailed(_("Add at least one recipient's e-mail address."), field="recipients")
    if len(cleaned) > MAX_RECIPIENTS:
        raise ValidationFailed(
            _("At most %(max)s recipients per report (%(count)s given): use a mailing list address for more.")
            % {"max": MAX_RECIPIENTS, "count": len(cleaned)},
            field="recipients",
        )
    return cleaned


def _require_manage(actor: Actor, market: Market | None) -> None:
    if market is None:
        actor.require_global(Perm.ANALYTICS_MANAGE)
    else:
        if market.organization_id != actor.organization_id:
            raise NotFound(_("No such market."))
        actor.require(Perm.ANALYTICS_MANAGE, market)


def _check(name: str, frequency: str, language: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the report a name."), field="name")
    if frequency not in Frequency.values:
        raise ValidationFailed(_("Choose weekly or monthly."), field="frequency")
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose English or French."), field="language")
    return name


@transaction.atomic
def report_schedule_create(
    *,
    actor: Actor,
    name: str,
    market: Market | None,
    frequency: str,
    recipients: Sequence[str] | str,
    language: str = "en",
    is_active: bool = True,
    now: dt.datetime | None = None,
) -> ReportSchedule:
    _require_manage(actor, market)
    name = _check(name, frequency, language)
    zone = report_zone(organization=actor.organization, market=market)
    schedule = ReportSchedule.objects.create(
        organization=actor.organization, market=market, name=name, frequency=frequency,
        recipients=_clean_recipients(recipients), language=language, is_active=is_active,
        next_run_at=report_next_run(frequency=frequency, zone=zone, now=now or timezone.now()),
        created_by=actor.user,
    )  # fmt: skip
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="report_schedule.create", target=schedule,
        after=snapshot(schedule, _AUDITED), market_id=market.pk if market else None,
    )  # fmt: skip
    return schedule


@transaction.atomic
def report_schedule_update(
    *,
    actor: Actor,
    schedule: ReportSchedule,
    name: str,
    market: Market | None,
    frequency: str,
    recipients: Sequence[str] | str,
    language: str,
    is_active: bool,
    now: dt.datetime | None = None,
) -> ReportSchedule:
    _require_manage(actor, schedule.market)
    _require_manage(actor, market)
    name = _check(name, frequency, language)
    before = snapshot(schedule, _AUDITED)
    moved = frequency != schedule.frequency or (market.pk if market else None) != schedule.market_id
    schedule.name, schedule.market, schedule.frequency = name, market, frequency
    schedule.recipients, schedule.language, schedule.is_active = _clean_recipients(recipients), language, is_active
    schedule.created_by = actor.user  # whoever saves the schedule is its author: the report shows what they see
    if moved:
        zone = report_zone(organization=actor.organization, market=market)
        schedule.next_run_at = report_next_run(frequency=frequency, zone=zone, now=now or timezone.now())
    schedule.save()
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="report_schedule.update", target=schedule,
        before=before, after=snapshot(schedule, _AUDITED), market_id=market.pk if market else None,
    )  # fmt: skip
    return schedule


@transaction.atomic
def report_schedule_delete(*, actor: Actor, schedule: ReportSchedule) -> None:
    _require_manage(actor, schedule.market)
    audit_record(
        organization_id=actor.organization_id, actor=actor.user, action="report_schedule.delete", target=schedule,
        before=snapshot(schedule, _AUDITED), market_id=schedule.market_id,
    )  # fmt: skip
    schedule.delete()


def _visible_q(actor: Actor) -> Q:
    q = actor.market_q(Perm.ANALYTICS_VIEW, "market__path")
    if actor.can_globally(Perm.ANALYTICS_VIEW):
        q |= Q(market__isnull=True)
    return q


def report_schedule_list(*, actor: Actor) -> QuerySet[ReportSchedule]:
    """Schedules the member may read: of markets in their analytics scope; the organization's for Global members."""
    return (
        ReportSchedule.objects.filter(_visible_q(actor), organization_id=actor.organization_id)
        .select_related("organization", "market", "created_by")
        .order_by("name", "pk")
    )


def report_schedule_get(*, actor: Actor, pk: int) -> ReportSchedule:
    schedule = report_schedule_list(actor=actor).filter(pk=pk).first()
    if schedule is None:
        raise NotFound(_("No such report."))
    return schedule


def report_delivery_list(*, schedule: ReportSchedule, limit: int = 50) -> QuerySet[ReportDelivery]:
    return schedule.deliveries.all()[:limit]


def report_delivery_get(*, actor: Actor, schedule_pk: int, pk: int) -> ReportDelivery:
    schedule = report_schedule_get(actor=actor, pk=schedule_pk)
    delivery = schedule.deliveries.filter(pk=pk).first()
    if delivery is None:
        raise NotFound(_("No such delivery."))
    delivery.schedule = schedule
    return delivery


def report_delivery_pdf(*, actor: Actor, schedule_pk: int, pk: int) -> tuple[ReportDelivery, Path, str]:
    """The PDF that was sent for a past delivery, exactly as sent (never recomputed): the delivery, the stored
    file and its download name. Scoped like the schedule (same organization, analytics.view in its market), checked
    now: a member who lost analytics.view (or the schedule's market) downloads no older file either."""
    actor.require(Perm.ANALYTICS_VIEW)
    delivery = report_delivery_get(actor=actor, schedule_pk=schedule_pk, pk=pk)
    schedule = delivery.schedule
    if schedule.market is None:
        actor.require_global(Perm.ANALYTICS_VIEW)
    else:
        actor.require(Perm.ANALYTICS_VIEW, schedule.market)
    path = reports_dir() / delivery.pdf_path if delivery.pdf_path else None
    if path is None or not path.is_file():
        raise NotFound(_("This delivery has no stored PDF: it was not sent."))
    name = report_file_name(
        organization=schedule.organization, market=schedule.market, start=delivery.period_start,
        end=delivery.period_end, extension="pdf",
    )  # fmt: skip
    return delivery, path, name


def report_schedule_require_manage(*, actor: Actor, schedule: ReportSchedule) -> None:
    _require_manage(actor, schedule.market)


def report_schedule_can_manage(*, actor: Actor, schedule: ReportSchedule) -> bool:
    if schedule.market is None:
        return actor.can_globally(Perm.ANALYTICS_MANAGE)
    return actor.can(Perm.ANALYTICS_MANAGE, schedule.market)


# Sending ------------------------------------------------------------------------------------------------------------


class ReportAccessLost(NotPermitted):
    """The schedule's author may no longer read what the report covers: nothing is sent."""

    code = "report_access_lost"


def reports_dir() -> Path:
    configured = getattr(settings, "HARMONIE_REPORTS_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "reports"


def report_schedule_actor(*, schedule: ReportSchedule) -> Actor:
    """The schedule's author as they are now: a scheduled report shows exactly what its author may see. Raises
    ``ReportAccessLost`` when they left the organization, were deactivated, or lost analytics.view there."""
    scope = schedule.market.name if schedule.market else schedule.organization.name
    lost = ReportAccessLost(
        _(
            "The person who scheduled this report no longer has access to analytics for %(scope)s; edit the "
            "schedule (whoever saves it becomes its author)."
        )
        % {"scope": scope}
    )
    member = (
        Member.objects.select_related("organization", "user")
        .filter(organization_id=schedule.organization_id, user_id=schedule.created_by_id, is_active=True)
        .first()
        if schedule.created_by_id is not None
        else None
    )
    if member is None or not member.user.is_active:
        raise lost
    actor = actor_for(member)
    allowed = (
        actor.can_globally(Perm.ANALYTICS_VIEW)
        if schedule.market is None
        else actor.can(Perm.ANALYTICS_VIEW, schedule.market)
    )
    if not allowed:
        raise lost
    return actor


def _store_pdf(pdf: bytes) -> str:
    """Write the PDF under the reports folder with a random name; returns that name."""
    folder = reports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.pdf"
    partial = folder / f"{name}.part"
    partial.write_bytes(pdf)
    partial.rename(folder / name)
    return name


def _deliver(*, schedule: ReportSchedule, delivery: ReportDelivery) -> ReportDelivery:
    """Render, store and e-mail one delivery as the schedule's author may see it; the outcome (sent with its PDF, or
    the error) is written on it. A delivery sent again keeps its previous PDF until the new one is sent."""
    stored = ""
    try:
        actor = report_schedule_actor(schedule=schedule)
        report = report_build(
            actor=actor, market=schedule.market, frequency=schedule.frequency,
            period_start=delivery.period_start, period_end=delivery.period_end, language=schedule.language,
        )  # fmt: skip
        html = report_render_html(report)
        pdf = report_render_pdf(report)
        stored = _store_pdf(pdf)
        with translation.override(schedule.language):
            subject = _("%(report)s — %(period)s") % {"report": schedule.name, "period": report.period_label}
            text = _(
                "%(report)s for %(scope)s, %(period)s: the report is attached as a PDF and shown below.\n\n"
                "Followers: %(followers)s · Engagements: %(engagements)s · Clicks: %(clicks)s · "
                "Posts published: %(posts)s\n\nSee it in Harmonie: %(link)s\n"
            ) % {
                "report": schedule.name, "scope": report.scope_name, "period": report.period_label,
                "followers": report.headline_text("followers"), "engagements": report.headline_text("engagements"),
                "clicks": report.headline_text("clicks"), "posts": report.headline_text("posts"),
                "link": settings.HARMONIE_PUBLIC_URL.rstrip("/") + f"/analytics/reports/{schedule.pk}/",
            }  # fmt: skip
        message = EmailMultiAlternatives(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(delivery.recipients)
        )
        message.attach_alternative(html, "text/html")
        message.attach(report.file_name("pdf"), pdf, "application/pdf")
        message.send()
    except Exception as exc:  # recorded on the delivery (and logged): the schedule must go on
        if isinstance(exc, ReportAccessLost):
            logger.warning("Report schedule %s, period %s: %s", schedule.pk, delivery.period_start, exc)
        else:
            logger.exception("Report schedule %s, period %s: not sent", schedule.pk, delivery.period_start)
        if stored:
            (reports_dir() / stored).unlink(missing_ok=True)
        delivery.error = (getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")[:4000]
        if not delivery.pdf_path:
            delivery.sent_at = None
    else:
        previous = delivery.pdf_path
        delivery.error, delivery.sent_at, delivery.pdf_path = "", timezone.now(), stored
        if previous and previous != stored:
            (reports_dir() / previous).unlink(missing_ok=True)
    delivery.save(update_fields=["error", "sent_at", "pdf_path"])
    return delivery


def _claim(*, schedule: ReportSchedule, now: dt.datetime) -> ReportDelivery | None:
    """Create the delivery of the period that just ended and move the schedule on, in one transaction. None: this
    period is already claimed (by another worker, or sent before)."""
    zone = report_zone(organization=schedule.organization, market=schedule.market)
    start, end = report_period(frequency=schedule.frequency, zone=zone, now=now)
    with transaction.atomic():
        ReportSchedule.objects.filter(pk=schedule.pk).update(
            next_run_at=report_next_run(frequency=schedule.frequency, zone=zone, now=now), updated_at=now
        )
        try:
            with transaction.atomic():
                return ReportDelivery.objects.create(
                    schedule=schedule, period_start=start, period_end=end, created_at=now,
                    recipients=list(schedule.recipients),
                )  # fmt: skip
        except IntegrityError:
            logger.info("Report schedule %s: period %s already claimed", schedule.pk, start)
            return None


def report_schedules_run_due(*, now: dt.datetime) -> list[ReportDelivery]:
    """Send every due report (called every minute by the analytics scheduler). Returns the deliveries attempted."""
    due = (
        ReportSchedule.objects.filter(is_active=True, next_run_at__lte=now)
        .select_related("organization", "market")
        .order_by("next_run_at", "pk")
    )
    done: list[ReportDelivery] = []
    for schedule in due:
        delivery = _claim(schedule=schedule, now=now)
        if delivery is not None:
            done.append(_deliver(schedule=schedule, delivery=delivery))
    return done


def report_send_now(*, actor: Actor, schedule: ReportSchedule, now: dt.datetime | None = None) -> ReportDelivery:
    """Send the last full period's report now ("send now"). A period already sent is sent again (the delivery row
    is reused and its outcome replaced); the schedule's next run is unchanged."""
    _require_manage(actor, schedule.market)
    now = now or timezone.now()
    zone = report_zone(organization=schedule.organization, market=schedule.market)
    start, end = report_period(frequency=schedule.frequency, zone=zone, now=now)
    with transaction.atomic():
        delivery, _created = ReportDelivery.objects.get_or_create(
            schedule=schedule, period_start=start,
            defaults={"period_end": end, "created_at": now, "recipients": list(schedule.recipients)},
        )  # fmt: skip
        delivery.recipients = list(schedule.recipients)
        delivery.save(update_fields=["recipients"])
        audit_record(
            organization_id=actor.organization_id, actor=actor.user, action="report_schedule.send_now",
            target=schedule, after={"period_start": start, "period_end": end, "recipients": delivery.recipients},
            market_id=schedule.market_id,
        )  # fmt: skip
    return _deliver(schedule=schedule, delivery=delivery)


# Report content -----------------------------------------------------------------------------------------------------
#
# Every figure comes from ``analytics.kpis`` (objectives_dashboard, resolve_scope, load_figures and the pure
# functions of kpis.compute) and the metric dictionary; this module only arranges and formats them.


def number(value: Decimal | int | None, *, decimals: int | None = None) -> str:
    """A number as the active language writes it, thousands grouped ("1 234,5" in French); "—" for None. Without
    ``decimals``: none for whole numbers, two otherwise."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
    return number_format(Decimal(value), decimals, use_l10n=True, force_grouping=True)


def _value(value: Decimal | None, unit: str, currency: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{number(value, decimals=2)} %"
    if unit == "currency":
        return f"{number(value, decimals=2)} {currency}"
    return number(value)


@dataclass(frozen=True)
class KpiLine:
    """One KPI of an objective, as the report prints it (texts already in the report's language)."""

    result: KPIResult
    target: str
    target_for_period: str
    actual: str
    percent: str

    @property
    def status(self) -> str:
        return str(self.result.status)

    @property
    def status_label(self) -> str:
        return self.result.status_label


@dataclass(frozen=True)
class ObjectiveSection:
    name: str
    market: str
    type_label: str
    channel_count: int
    kpis: list[KpiLine]
    chart: SafeString | None


@dataclass(frozen=True)
class ChannelLine:
    label: str
    network: str
    followers: str
    engagements: str
    engagement_rate: str
    definition: str


@dataclass(frozen=True)
class TopPost:
    post_id: int
    channel: str
    text: str
    engagements: int
    displays: int | None  # None: the network gives no displays (impressions or views)

    @property
    def engagements_text(self) -> str:
        return number(self.engagements)

    @property
    def displays_text(self) -> str:
        return number(self.displays)


@dataclass
class Report:
    organization: Organization
    market: Market | None
    frequency: str
    period_start: dt.date
    period_end: dt.date
    language: str
    zone: str
    generated_at: dt.datetime
    headline: dict[str, Decimal | int | None] = field(default_factory=dict)
    headline_texts: dict[str, str] = field(default_factory=dict)
    objectives: list[ObjectiveSection] = field(default_factory=list)
    channels: list[ChannelLine] = field(default_factory=list)
    top_posts: list[TopPost] = field(default_factory=list)

    @property
    def scope_name(self) -> str:
        return self.market.name if self.market else self.organization.name

    @property
    def period_label(self) -> str:
        with translation.override(self.language):
            if self.frequency == Frequency.MONTHLY:
                return date_format(self.period_start, "YEAR_MONTH_FORMAT")
            first = date_format(self.period_start, "SHORT_DATE_FORMAT")
            return f"{first} – {date_format(self.period_end, 'SHORT_DATE_FORMAT')}"

    def headline_text(self, key: str) -> str:
        return self.headline_texts.get(key, "—")

    def file_name(self, extension: str) -> str:
        return report_file_name(
            organization=self.organization, market=self.market, start=self.period_start, end=self.period_end,
            extension=extension,
        )  # fmt: skip


def report_file_name(
    *, organization: Organization, market: Market | None, start: dt.date, end: dt.date, extension: str
) -> str:
    scope = market.code.lower() if market else organization.slug
    return f"report-{scope}-{start:%Y%m%d}-{end:%Y%m%d}.{extension}"


def report_render_html(report: Report, *, for_pdf: bool = False) -> str:
    with translation.override(report.language):
        return render_to_string("analytics/reports/report.html", {"report": report, "for_pdf": for_pdf})


def report_render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    return bytes(HTML(string=report_render_html(report, for_pdf=True)).write_pdf())


def report_text(report: Report) -> str:
    return strip_tags(report_render_html(report))


def report_view(*, actor: Actor, schedule: ReportSchedule, now: dt.datetime | None = None) -> Report:
    """The schedule's report for the last full period, computed now with what the member may see (the "view
    current" page). Past deliveries are read from their stored PDF (``report_delivery_pdf``)."""
    if schedule.organization_id != actor.organization_id:
        raise NotFound(_("No such report."))
    zone = report_zone(organization=schedule.organization, market=schedule.market)
    start, end = report_period(frequency=schedule.frequency, zone=zone, now=now or timezone.now())
    return report_build(
        actor=actor, market=schedule.market, frequency=schedule.frequency, period_start=start, period_end=end,
        language=schedule.language,
    )  # fmt: skip


def _chart_label(day: dt.date) -> str:
    return date_format(day, "MONTH_DAY_FORMAT")


def _objective_chart(result: ObjectiveResult, chart: Chart, start: dt.date, end: dt.date) -> SafeString:
    """The objective's cumulative actual against the straight target line (``kpis.Chart``, drawn by charts.py)."""
    return charts.line_chart(
        chart_id=f"report-kpi-{result.objective.pk}-{start:%Y%m%d}",
        title=_("%(metric)s: cumulative actual vs target") % {"metric": chart.name},
        desc=_("From %(start)s to %(end)s: actual %(actual)s, target for the period %(target)s.")
        % {
            "start": date_format(start, "SHORT_DATE_FORMAT"),
            "end": date_format(end, "SHORT_DATE_FORMAT"),
            "actual": number(chart.actual[-1] if chart.actual else 0),
            "target": number(chart.target[-1] if chart.target else 0),
        },
        labels=[_chart_label(d) for d in chart.labels],
        series=[
            charts.Series(_("Actual"), chart.actual),
            charts.Series(_("Target"), chart.target, color="#57606a", dashed=True),
        ],
    )


def _objective_sections(dashboard: Dashboard) -> list[ObjectiveSection]:
    sections = []
    for result in dashboard.objectives:
        objective = result.objective
        currency = objective.market.currency
        lines = [
            KpiLine(
                result=k,
                target=_value(k.target, k.unit, currency),
                target_for_period=_value(k.target_for_period, k.unit, currency),
                actual=_value(k.actual, k.unit, currency),
                percent="—" if k.percent_of_target is None else f"{number(k.percent_of_target, decimals=0)} %",
            )
            for k in result.kpis
        ]
        chart = result.chart
        sections.append(
            ObjectiveSection(
                name=objective.name,
                market=objective.market.name,
                type_label=str(objective.get_type_display()),
                channel_count=result.channel_count,
                kpis=lines,
                chart=_objective_chart(result, chart, dashboard.start, dashboard.end) if chart else None,
            )
        )
    return sections


def _headline(scope: Scope, figures: Figures) -> dict[str, Decimal | int | None]:
    """The scope's figures over the period, by the KPI definitions: followers at the end of the period (channels
    that report them), interactions, the mean of the channels' engagement rates (each by its network's definition),
    network link clicks plus first-party short-link clicks by people (QR scans apart; links of a channel whose
    network gives link clicks are counted by the network only: ``first_party_clicks_count``), posts published
    against the posts the cadence targets plan for the period."""
    totals = list(figures.channel_totals.values())
    known = [t for t in totals if t.followers_first is not None and t.followers_last is not None]
    networks = {c.id: c.network for c in scope.channels}
    first_party = sum(
        n
        for (_m, channel_id, purpose, _b), n in figures.link_clicks.items()
        if purpose != LinkPurpose.QR and (channel_id is None or first_party_clicks_count(networks.get(channel_id)))
    )
    weekly = CadenceTarget.objects.filter(
        channel__organization=scope.organization, channel_id__in=[c.id for c in scope.channels if c.is_active]
    ).aggregate(total=Sum("posts_per_week"))["total"]
    days = days_between(figures.start, figures.end)
    rate = mean_rate(engagement_rate(t) for t in totals)
    growth = follower_growth(sum(t.followers_first or 0 for t in known), sum(t.followers_last or 0 for t in known))
    return {
        "followers": sum(t.followers_last or 0 for t in known) if known else None,
        "follower_growth": q2(growth) if growth is not None else None,
        "engagements": sum(t.interactions for t in totals),
        "engagement_rate": q2(rate) if rate is not None else None,
        "clicks": sum(t.clicks for t in totals) + first_party,
        "posts": sum(t.posts for t in totals),
        "posts_target": (Decimal(weekly) * days / 7).quantize(Decimal(1)) if weekly is not None else None,
    }


def _headline_texts(headline: dict[str, Decimal | int | None]) -> dict[str, str]:
    texts = {key: number(value) for key, value in headline.items()}
    for key in ("engagement_rate", "follower_growth"):
        value = headline[key]
        texts[key] = "—" if value is None else f"{number(value, decimals=2)} %"
    return texts


def _channel_lines(scope: Scope, figures: Figures) -> list[ChannelLine]:
    lines = []
    for channel in scope.channels:
        totals = figures.channel_totals.get(channel.id)
        if totals is None or (not channel.is_active and not totals.interactions and not totals.posts):
            continue
        rate = engagement_rate(totals)
        lines.append(
            ChannelLine(
                label=channel.label,
                network=channel.network,
                followers=number(totals.followers_last),
                engagements=number(totals.interactions),
                engagement_rate="—" if rate is None else f"{number(q2(rate), decimals=2)} %",
                definition=str(network_metrics(channel.network).definition),
            )
        )
    return lines


def _top_posts(scope: Scope, start: dt.date, end: dt.date, limit: int = 5) -> list[TopPost]:
    """The period's published posts with the most interactions (their latest snapshot up to the end of the
    period); displays are impressions, or views where views replaced impressions (the dictionary). Only posts of
    the selection's markets on its channels (``scope.paths`` are within the actor's analytics scope)."""
    lo = dt.datetime.combine(start, dt.time(), tzinfo=scope.timezone)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=scope.timezone)
    latest = PostMetricSnapshot.objects.filter(post=OuterRef("post"), day__lte=end).order_by("-day").values("day")[:1]
    snapshots = PostMetricSnapshot.objects.filter(
        organization=scope.organization,
        post__status=PostStatus.PUBLISHED,
        post__scheduled_at__gte=lo,
        post__scheduled_at__lt=hi,
        day=Subquery(latest),
    )
    if not scope.whole_org:
        # The channel is in the selection, and so is the post's market: a channel that merely serves a market
        # also carries other markets' posts, whose texts a viewer of that market may not read.
        in_markets = Q(pk__in=[])
        for p in scope.paths:
            in_markets |= Q(post__market__path__startswith=p)
        snapshots = snapshots.filter(in_markets, channel_id__in=[c.id for c in scope.channels])
    total = sum((Coalesce(F(n), 0) for n in INTERACTIONS[1:]), Coalesce(F(INTERACTIONS[0]), 0))
    rows = snapshots.annotate(total=total).select_related("channel", "post").order_by("-total", "post_id")[:limit]
    posts = []
    for r in rows:
        spec = network_metrics(r.channel.network)
        shown = r.impressions if not spec.views_are_displays else (r.impressions or 0) + (r.views or 0)
        displays = None if (r.impressions is None and (not spec.views_are_displays or r.views is None)) else shown
        posts.append(TopPost(r.post_id, str(r.channel), " ".join(r.post.text.split())[:160], int(r.total), displays))
    return posts


def report_build(
    *,
    actor: Actor,
    market: Market | None,
    frequency: str,
    period_start: dt.date,
    period_end: dt.date,
    language: str,
    today: dt.date | None = None,
) -> Report:
    """The report of ``market`` (None: every market the actor may analyse) over the period, as ``actor`` may see
    it, in ``language``. Raises NotPermitted / NotFound when the actor may not read analytics there."""
    with translation.override(language):
        scope = resolve_scope(actor=actor, market=market)
        dashboard = objectives_dashboard(actor=actor, market=market, start=period_start, end=period_end, today=today)
        figures = load_figures(scope=scope, start=period_start, end=period_end)
        report = Report(
            organization=actor.organization, market=market, frequency=frequency, period_start=period_start,
            period_end=period_end, language=language, zone=str(scope.timezone), generated_at=timezone.now(),
        )  # fmt: skip
        report.headline = _headline(scope, figures)
        report.headline_texts = _headline_texts(report.headline)
        report.objectives = _objective_sections(dashboard)
        report.channels = _channel_lines(scope, figures)
        report.top_posts = _top_posts(scope, period_start, period_end)
    return report


def kpi_table_rows(*, actor: Actor, market: Market | None, start: dt.date, end: dt.date) -> list[list[Any]]:
    """The KPI table of the period as plain rows (the "kpi_table" export): the objectives dashboard's figures."""
    dashboard = objectives_dashboard(actor=actor, market=market, start=start, end=end)
    rows: list[list[Any]] = []
    for result in dashboard.objectives:
        for k in result.kpis:
            objective = result.objective
            rows.append([objective.name, objective.market.code, k.metric, k.unit, k.baseline, k.target])
            rows[-1] += [k.target_for_period, k.actual, k.percent_of_target, str(k.status), start, end]
    return rows
