"""QR codes: what is encoded is the absolute short URL; PNG and SVG render it at the asked size."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import segno
from django.urls import reverse
from PIL import Image

from harmonie.analytics import qr
from harmonie.analytics.services import tracking as services


def _png_modules(png: bytes, *, scale: int) -> list[list[bool]]:
    """Read the module grid back from the image's pixels (dark = True), quiet zone removed."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // scale
    grid = [
        [image.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in range(size)]
        for y in range(size)
    ]
    border = qr.QUIET_ZONE
    assert all(not any(row) for row in grid[:border] + grid[-border:])
    return [row[border:-border] for row in grid[border:-border]]


def test_the_qr_link_is_tagged_for_qr_and_its_png_encodes_the_short_url(persona, market, client_for):
    link = services.qr_link_create(
        actor=persona("fr_market_lead"),
        market=market("FR"),
        destination="https://vireo.example/store",
        label="Store window",
    )
    assert link.purpose == "qr"
    assert link.destination == "https://vireo.example/store?utm_medium=qr"
    url = services.short_url(link.code)
    response = client_for("fr_market_lead").get(reverse("analytics:link_qr", args=[link.pk, "png"]) + "?size=5")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    expected = segno.make_qr(url, error="m", boost_error=True)
    assert expected.error in {"M", "Q", "H"}
    width = expected.symbol_size(scale=5, border=4)[0]
    assert Image.open(io.BytesIO(png)).size == (width, width)
    decoded = _png_modules(png, scale=5)
    assert decoded == [[bool(v) for v in row] for row in expected.matrix]
    # A different address gives a different picture: the comparison above is not vacuous.
    other = segno.make_qr(url + "x", error="m", boost_error=True)
    assert decoded != [[bool(v) for v in row] for row in other.matrix]


def test_svg_has_the_right_viewbox_and_the_size_is_bounded(persona, market, client_for):
    link = services.qr_link_create(
        actor=persona("fr_market_lead"), market=market("FR"), destination="https://vireo.example/store"
    )
    url = services.short_url(link.code)
    response = client_for("analyst").get(reverse("analytics:link_qr", args=[link.pk, "svg"]) + "?size=3&download=1")
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == f'attachment; filename="qr-{link.code}.svg"'
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    side = qr.qr_make(url).symbol_size(scale=3, border=4)[0]
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.attrib["viewBox"] == f"0 0 {side} {side}"
    assert root.attrib["width"] == str(side)
    assert root.find("{http://www.w3.org/2000/svg}title").text == url  # type: ignore[union-attr]
    assert qr.clamp_scale("1000") == qr.MAX_SCALE
    assert qr.clamp_scale("0") == qr.MIN_SCALE
    assert qr.clamp_scale("abc") == qr.DEFAULT_SCALE


def test_qr_of_another_market_is_not_found(persona, market, client_for):
    link = services.qr_link_create(
        actor=persona("de_market_lead"), market=market("DE"), destination="https://vireo.example/de"
    )
    response = client_for("fr_market_lead").get(reverse("analytics:link_qr", args=[link.pk, "png"]))
    assert response.status_code == 404
