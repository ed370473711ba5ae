"""SVG charts: exact coordinates for small known inputs, accessible names, escaped texts."""

from __future__ import annotations

from decimal import Decimal

from harmonie.analytics import charts
from harmonie.analytics.charts import Point, Series


def test_nice_max_and_labels() -> None:
    assert [charts.nice_max(v) for v in (0, 0.7, 0.3, 3, 4, 7, 10, 11, 300366)] == [1, 1, 0.5, 5, 5, 10, 10, 20, 500000]
    assert [charts.tick_label(v) for v in (2.5, 12500, 2_000_000)] == ["2.5", "12.5k", "2M"]
    assert charts.n(12.0) == "12"
    assert charts.n(59.24) == "59.2"
    assert charts.n(-0.01) == "0"


def test_line_chart_coordinates() -> None:
    svg = charts.line_chart(
        chart_id="c1", title="Clicks & leads", desc="Three days", labels=["1", "2", "3"],
        series=[Series("Actual", [0, 5, Decimal(10)]), Series("Target", [2, None, 8], dashed=True)],
        width=200, height=100,
    )  # fmt: skip
    # plot area x 56..184, y 24..68; the y axis goes up to 10
    assert 'points="56,68 120,46 184,24"' in svg
    assert 'stroke-dasharray="4 3" points="56,59.2 184,32.8"' in svg
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" id="c1" class="chart" role="img" ')
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Clicks &amp; leads</title><desc id="c1-desc">Three days</desc>' in svg
    assert ">7.5</text>" in svg
    assert "<script" not in svg


def test_stacked_and_grouped_bars() -> None:
    stacked = charts.bar_chart(
        chart_id="b", title="t", desc="d", categories=["x", "y"],
        series=[Series("S1", [1, 2]), Series("S2", [3, 1])], stacked=True, width=200, height=100,
    )  # fmt: skip
    assert '<rect x="62.4" y="59.2" width="51.2" height="8.8" fill="#1f6feb"><title>x — S1: 1</title></rect>' in stacked
    assert (
        '<rect x="62.4" y="32.8" width="51.2" height="26.4" fill="#d4691b"><title>x — S2: 3</title></rect>' in stacked
    )
    grouped = charts.bar_chart(
        chart_id="g", title="t", desc="d", categories=["x"], series=[Series("S1", [1]), Series("S2", [2])],
        width=200, height=100,
    )  # fmt: skip
    # one band of 128 px: two bars of 51.2 px side by side; the axis goes up to 2
    assert '<rect x="68.8" y="46" width="51.2" height="22" fill="#1f6feb">' in grouped
    assert '<rect x="120" y="24" width="51.2" height="44" fill="#d4691b">' in grouped


def test_scatter_log_scale_labels_and_escaping() -> None:
    svg = charts.scatter_chart(
        chart_id="s", title="t", desc="d", x_label="Followers", y_label="Rate",
        points=[Point(100, 2, "<b>fr"), Point(10000, 4, "global", group=1)], groups=["Global", "Local"],
        log_x=True, width=200, height=100,
    )  # fmt: skip
    assert '<circle cx="120" cy="50.4" r="5" fill="#1f6feb"><title>&lt;b&gt;fr</title></circle>' in svg
    assert '<rect x="179.5" y="28.3" width="9" height="9" fill="white" stroke="#d4691b"' in svg
    assert ">10k</text>" in svg
    assert "<b>" not in svg


def test_heatmap_cells() -> None:
    svg = charts.heatmap(
        chart_id="h", title="Best time", desc="d", rows=["Mon", "Tue"], columns=["00", "01"],
        values=[[None, 2], [4, 0]], cell=10,
    )  # fmt: skip
    assert '<rect x="48" y="20" width="8" height="8" fill="#eeeeee"><title>Mon 00: —</title></rect>' in svg
    assert 'fill="#1f6feb" fill-opacity="0.55"><title>Mon 01: 2</title>' in svg
    assert 'fill-opacity="1"><title>Tue 00: 4</title>' in svg
    assert 'viewBox="0 0 76 48"' in svg


def test_empty_inputs_render() -> None:
    assert "<polyline" in charts.line_chart(chart_id="e", title="t", desc="d", labels=[], series=[Series("A", [])])
    assert "</svg>" in charts.scatter_chart(chart_id="e2", title="t", desc="d", points=[], x_label="x", y_label="y")
