"""KPI computation: each objective's KPIs, actual vs target, per market and global, over a chosen period.

Public API (stable; reports call it):

* ``objectives_dashboard(*, actor, market=None, start=None, end=None, period="custom", today=None) -> Dashboard``
  — every active objective
  whose period overlaps ``start..end`` and whose market is the chosen market, one below it, or one above it
  (Global's objectives apply everywhere), each with its ``KPIResult`` rows and a ``Chart`` (cumulative actual vs
  the target line). ``market``: a ``Market`` or its pk, None = all the actor's markets. ``period``: "custom" with
  ``start``/``end``, or a choice of ``period_for`` resolved with today in the market's zone (``today`` pins it).
  Raises ``NotPermitted`` without analytics.view, ``NotFound`` for a market outside the actor's scope,
  ``ValidationFailed`` for a bad period. ``Dashboard.objectives`` -> ``ObjectiveResult(objective, channel_count,
  kpis: list[KPIResult], chart: Chart | None)``; ``KPIResult(kpi, metric, name, unit, direction, baseline, target,
  target_for_period, actual, percent_of_target, status: Status, note)``; ``Chart(metric, name, labels, actual,
  target)`` (cumulative, one point a day up to 31 days, a month beyond).
* ``resolve_scope(*, actor, market=None) -> Scope`` and ``load_figures(*, scope, start, end, granularity=None,
  parts=ALL_PARTS) -> Figures``: the selector layer (3 + at most 6 aggregate queries) the other dashboards reuse;
  ``period_dates(scope, period=..., start=..., end=..., today=None)`` resolves a period in the scope's zone.
  Channel figures of the calendar months wholly inside the period are read from the monthly rollup
  (``ChannelMonthlyStat``, the sums of the days kept by the collection service) unless day chart points are asked;
  the days of the months the period cuts from ``ChannelDailyStat``: the same sums, 12 rows a year per channel.
* Other dashboards (``analytics.selectors.dashboards``, same keyword arguments): ``cadence_compliance``,
  ``pillar_mix``, ``global_vs_local``, ``best_time(*, actor, market=None, channel=None)``, ``media_breakdown``.
* ``period_for(choice, *, today, start=None, end=None) -> tuple[date, date]``: "this_month", "last_month",
  "quarter", "last_12_months", "custom".
* Pure functions in ``kpis.compute``: ``engagement_rate``, ``follower_growth``, ``kpi_status``,
  ``percent_of_target``, ``prorated``, ``mean_rate``, ``median``, ``granularity_for``, ``bucket_of``.

Definitions (the user guide's "Measuring" section says the same for people):

* Scope: a market's channels are those it owns or serves, itself or any market below it (a region includes its
  countries); Global is every channel of the organization. Data entered per market (links, promo codes, leads,
  spend) belong to that market and the ones above it.
* Period: dates in the time zone of the market chosen in the filter (Global's for "All my markets"), so that every
  figure on one page shares the same boundaries and markets add up. Daily channel figures (``ChannelDailyStat.day``,
  a day in the channel's own time zone) count when their day is inside the period; instants (link clicks, QR scans)
  are placed on the day they fall on in the period's time zone, so a click at 23:30 UTC on 31 October is a November
  click for Tokyo and an October one for Paris.
* Targets of cumulative metrics (counts: clicks, leads…) are spread evenly over the KPI's own period and prorated to
  the days of the chosen period inside it; levels and rates (followers, engagement rate, cost per result) keep
  their target. Actuals are measured over that same overlap of the two periods (a Q1 KPI shown over the last 12
  months compares Q1's clicks to the Q1 target): day buckets inside it exactly; a month bucket the overlap cuts
  (periods over 31 days) counts for its days inside it, spread evenly like targets; followers at the overlap's
  own ends; spend entries prorated to it. Status: see ``compute.kpi_status``, with the overlap as the period.
* clicks = network link clicks + first-party short-link clicks by people (bots excluded; QR scans apart). A short
  link attached to a channel (a post's link) counts first-party only when that channel's network gives no link
  clicks (Bluesky, Mastodon, Facebook, Instagram, Threads, YouTube, TikTok): on X, LinkedIn and Pinterest the
  network's figure already includes its clicks. Links without a channel (manual, QR) always count first-party;
  store visits = QR-code scans + promo-code redemptions; leads = entered/imported lead counts; conversions =
  conversions reported with spend entries (ad managers), prorated by days; cost per result = spend in the period
  (entries prorated by days, the objective market's currency only) ÷ the results of the objective's type.
"""

from harmonie.analytics.kpis.compute import Status
from harmonie.analytics.kpis.data import (
    ALL_PARTS,
    Figures,
    Scope,
    load_figures,
    period_dates,
    period_for,
    resolve_scope,
)
from harmonie.analytics.kpis.objectives import (
    RESULT_METRIC,
    Chart,
    Dashboard,
    KPIResult,
    ObjectiveResult,
    objectives_dashboard,
)

__all__ = [
    "ALL_PARTS",
    "RESULT_METRIC",
    "Chart",
    "Dashboard",
    "Figures",
    "KPIResult",
    "ObjectiveResult",
    "Scope",
    "Status",
    "load_figures",
    "objectives_dashboard",
    "period_dates",
    "period_for",
    "resolve_scope",
]
