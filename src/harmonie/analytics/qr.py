"""QR codes for short links, as PNG or SVG (segno). Error correction M at least (segno raises it further when
that costs no extra size), a quiet zone of 4 modules as the standard asks, and a bounded module size."""

from __future__ import annotations

import io
from typing import Literal

import segno

MIN_SCALE = 2
MAX_SCALE = 40
DEFAULT_SCALE = 10
QUIET_ZONE = 4

type QrFormat = Literal["png", "svg"]


def clamp_scale(scale: int | str | None) -> int:
    """Pixels (PNG) or user units (SVG) per module, kept between MIN_SCALE and MAX_SCALE."""
    try:
        value = int(scale) if scale not in (None, "") else DEFAULT_SCALE
    except (TypeError, ValueError):
        value = DEFAULT_SCALE
    return max(MIN_SCALE, min(MAX_SCALE, value))


def qr_make(data: str) -> segno.QRCode:
    """The QR code for ``data`` (a URL): byte mode, error correction M or better, never a Micro QR."""
    return segno.make_qr(data, error="m", boost_error=True)


def qr_size(data: str, *, scale: int) -> int:
    """Width (= height) of the rendered image in pixels / user units, quiet zone included."""
    width, _height = qr_make(data).symbol_size(scale=scale, border=QUIET_ZONE)
    return int(width)


def qr_render(data: str, *, kind: QrFormat, scale: int | str | None = None) -> bytes:
    """The QR code for ``data`` as PNG or SVG bytes (black on white, quiet zone included)."""
    code = qr_make(data)
    out = io.BytesIO()
    size = clamp_scale(scale)
    if kind == "png":
        code.save(out, kind="png", scale=size, border=QUIET_ZONE, dark="#000000", light="#ffffff")
    elif kind == "svg":
        code.save(
            out,
            kind="svg",
            scale=size,
            border=QUIET_ZONE,
            dark="#000000",
            light="#ffffff",
            xmldecl=True,
            svgns=True,
            title=data,
            omitsize=True,
        )
        # segno writes either a viewBox or a size; keep both, so it scales in a page and prints at its size.
        width = code.symbol_size(scale=size, border=QUIET_ZONE)[0]
        svg = out.getvalue().decode()
        svg = svg.replace(" viewBox=", f' width="{width}" height="{width}" viewBox=', 1)
        return svg.encode()
    else:
        raise ValueError(f"Unknown QR format {kind!r}: use png or svg.")
    return out.getvalue()
