"""Server-rendered SVG charts: line (actual vs target), bars (grouped or stacked), scatter (labelled points), heat map.

No JavaScript, no CSS classes needed: colours and sizes are SVG attributes, so a chart looks the same in the browser
and in WeasyPrint PDFs. Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>`` (``aria-labelledby``); every text is escaped. Coordinates are rounded to one decimal.

    line_chart(chart_id=..., title=..., desc=..., labels=[...], series=[Series(...), ...]) -> SafeString
    bar_chart(chart_id=..., title=..., desc=..., categories=[...], series=[...], stacked=False) -> SafeString
    scatter_chart(chart_id=..., title=..., desc=..., points=[Point(...)], x_label=..., y_label=..., log_x=True)
    heatmap(chart_id=..., title=..., desc=..., rows=[...], columns=[...], values=[[...]]) -> SafeString

Others (reports) use these helpers rather than writing their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

type Number = int | float | Decimal

PALETTE = ("#1f6feb", "#d4691b", "#2da44e", "#8250df", "#bf3989", "#57606a")
GRID = "#d0d7de"
TEXT = "#24292f"
FONT = 'font-family="sans-serif" font-size="11"'
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 24, 32


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    color: str = ""
    dashed: bool = False


@dataclass(frozen=True)
class Point:
    x: Number
    y: Number
    label: str
    group: int = 0  # 0: first style (filled circle), 1: second style (square), …


def n(value: float) -> str:
    """A coordinate: one decimal, no trailing zero (``12.0`` -> ``12``)."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value`` (1 when there is nothing to show)."""
    if value <= 0:
        return 1.0
    exponent = 10.0 ** math.floor(math.log10(value))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= m * exponent + 1e-9:
            return m * exponent
    return 10 * exponent


def tick_label(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{cid}" class="chart" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'style="max-width: 100%; height: auto">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _y_axis(ymax: float, width: int, height: int) -> list[str]:
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    out = []
    for k in range(5):
        value = ymax * k / 4
        y = MARGIN_TOP + plot_h - plot_h * k / 4
        out.append(f'<line x1="{MARGIN_LEFT}" y1="{n(y)}" x2="{width - MARGIN_RIGHT}" y2="{n(y)}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{n(y + 4)}" text-anchor="end" fill="{TEXT}" {FONT}>'
            f"{tick_label(value)}</text>"
        )
    return out


def _legend(series: Sequence[Series], width: int) -> list[str]:
    out = []
    x = width - MARGIN_RIGHT
    for i, s in reversed(list(enumerate(series))):
        color = s.color or PALETTE[i % len(PALETTE)]
        label = escape(s.name)
        x -= 12 + 7 * len(s.name)
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        out.append(f'<line x1="{x}" y1="12" x2="{x + 10}" y2="12" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{x + 13}" y="16" fill="{TEXT}" {FONT}>{label}</text>')
        x -= 8
    return out


def _x_labels(labels: Sequence[str], xs: Sequence[float], height: int) -> list[str]:
    step = max(1, math.ceil(len(labels) / 8))
    return [
        f'<text x="{n(x)}" y="{height - MARGIN_BOTTOM + 16}" text-anchor="middle" fill="{TEXT}" {FONT}>'
        f"{escape(lab)}</text>"
        for i, (lab, x) in enumerate(zip(labels, xs, strict=True))
        if i % step == 0
    ]


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Lines over shared x labels (e.g. cumulative actual, and the target as a dashed line); None values are skipped."""
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    values = [float(v) for s in series for v in s.values if v is not None]
    ymax = nice_max(max(values, default=0))
    count = len(labels)
    xs = [MARGIN_LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2) for i in range(count)]
    out = _open(chart_id, title, desc, width, height)
    out += _y_axis(ymax, width, height)
    out += _x_labels(labels, xs, height)
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        points = [
            f"{n(x)},{n(MARGIN_TOP + plot_h - plot_h * float(v) / ymax)}"
            for x, v in zip(xs, s.values, strict=True)
            if v is not None
        ]
        out.append(
            f'<polyline data-series="{escape(s.name)}" fill="none" stroke="{color}" stroke-width="2"{dash} '
            f'points="{" ".join(points)}"/>'
        )
    out += _legend(series, width)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """One group of bars per category, one bar per series (side by side, or stacked)."""
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    count = max(1, len(categories))
    if stacked:
        top = max((sum(float(s.values[i] or 0) for s in series) for i in range(len(categories))), default=0)
    else:
        top = max((float(v) for s in series for v in s.values if v is not None), default=0)
    ymax = nice_max(top)
    band = plot_w / count
    inner = band * 0.8
    bar_w = inner if stacked else inner / max(1, len(series))
    out = _open(chart_id, title, desc, width, height)
    out += _y_axis(ymax, width, height)
    centers = [MARGIN_LEFT + band * i + band / 2 for i in range(len(categories))]
    out += _x_labels(list(categories), centers, height)
    for ci, category in enumerate(categories):
        base = float(MARGIN_TOP + plot_h)
        for si, s in enumerate(series):
            value = float(s.values[ci] or 0)
            h = plot_h * value / ymax
            x = MARGIN_LEFT + band * ci + band * 0.1 + (0 if stacked else bar_w * si)
            y = base - h
            color = s.color or PALETTE[si % len(PALETTE)]
            out.append(
                f'<rect x="{n(x)}" y="{n(y)}" width="{n(bar_w)}" height="{n(h)}" fill="{color}">'
                f"<title>{escape(category)} — {escape(s.name)}: {escape(tick_label(value))}</title></rect>"
            )
            if stacked:
                base = y
    out += _legend(series, width)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def scatter_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[Point],
    x_label: str,
    y_label: str,
    groups: Sequence[str] = (),
    log_x: bool = False,
    width: int = 640,
    height: int = 320,
) -> SafeString:
    """Labelled points; group 0 drawn as filled circles, group 1 as hollow squares (not colour alone)."""
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM

    def fx(value: float) -> float:
        return math.log10(max(value, 1)) if log_x else value

    xmax_raw = max((float(p.x) for p in points), default=0)
    xmax = 10 ** math.ceil(math.log10(max(xmax_raw, 10))) if log_x else nice_max(xmax_raw)
    xmax_f = fx(xmax)
    ymax = nice_max(max((float(p.y) for p in points), default=0))
    out = _open(chart_id, title, desc, width, height)
    out += _y_axis(ymax, width, height)
    ticks = [10**k for k in range(round(math.log10(xmax)) + 1)] if log_x else [xmax * k / 4 for k in range(5)]
    for t in ticks:
        x = MARGIN_LEFT + plot_w * fx(t) / xmax_f if xmax_f else MARGIN_LEFT
        out.append(
            f'<text x="{n(x)}" y="{height - MARGIN_BOTTOM + 16}" text-anchor="middle" fill="{TEXT}" {FONT}>'
            f"{tick_label(t)}</text>"
        )
    out.append(
        f'<text x="{width - MARGIN_RIGHT}" y="{height - 2}" text-anchor="end" fill="{TEXT}" {FONT}>'
        f"{escape(x_label)}</text>"
    )
    out.append(f'<text x="4" y="{MARGIN_TOP - 8}" fill="{TEXT}" {FONT}>{escape(y_label)}</text>')
    for p in points:
        x = MARGIN_LEFT + (plot_w * fx(float(p.x)) / xmax_f if xmax_f else 0)
        y = MARGIN_TOP + plot_h - plot_h * float(p.y) / ymax
        color = PALETTE[p.group % len(PALETTE)]
        label = escape(p.label)
        if p.group % 2 == 0:
            mark = f'<circle cx="{n(x)}" cy="{n(y)}" r="5" fill="{color}">'
            close = "</circle>"
        else:
            mark = (
                f'<rect x="{n(x - 4.5)}" y="{n(y - 4.5)}" width="9" height="9" fill="white" stroke="{color}" '
                'stroke-width="2">'
            )
            close = "</rect>"
        out.append(f"{mark}<title>{label}</title>{close}")
        out.append(f'<text x="{n(x + 8)}" y="{n(y + 4)}" fill="{TEXT}" {FONT}>{label}</text>')
    if groups:
        out += _legend([Series(g, [], color=PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)], width)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def heatmap(
    *,
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Number | None]],
    cell: int = 22,
    color: str = "#1f6feb",
) -> SafeString:
    """A grid (e.g. weekday × hour): opacity proportional to the value; empty cells (None) in light grey."""
    left, top = 48, 20
    width = left + cell * len(columns) + 8
    height = top + cell * len(rows) + 8
    top_value = max((float(v) for row in values for v in row if v is not None), default=0)
    out = _open(chart_id, title, desc, width, height)
    for ci, column in enumerate(columns):
        if ci % 3 == 0:
            x = left + cell * ci + cell / 2
            out.append(
                f'<text x="{n(x)}" y="{top - 6}" text-anchor="middle" fill="{TEXT}" {FONT}>{escape(column)}</text>'
            )
    for ri, row in enumerate(rows):
        y = top + cell * ri
        out.append(
            f'<text x="{left - 6}" y="{n(y + cell / 2 + 4)}" text-anchor="end" fill="{TEXT}" {FONT}>'
            f"{escape(row)}</text>"
        )
        for ci, column in enumerate(columns):
            value = values[ri][ci]
            x = left + cell * ci
            if value is None:
                fill = 'fill="#eeeeee"'
                label = "—"
            else:
                opacity = 0.1 + 0.9 * float(value) / top_value if top_value else 0.1
                fill = f'fill="{color}" fill-opacity="{round(opacity, 2):g}"'
                label = tick_label(round(float(value), 1))
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" {fill}>'
                f"<title>{escape(row)} {escape(column)}: {escape(label)}</title></rect>"
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
