"""Test helpers of the resident pages: ask "near me" at a grid point, read the hits, and look inside
a PDF (page sizes, whether the Chinese was set in a real CJK font)."""

from __future__ import annotations

import numpy as np

from tests.platform.helpers import lonlat


def near(client, x, y, *, elderly=False, status=200):
    lon, lat = lonlat(x, y)
    resp = client.get("/near/", {"lon": lon, "lat": lat, **({"elderly": "1"} if elderly else {})})
    assert resp.status_code == status, resp.content[:300]
    return resp


def hits(resp):
    return [(h.facility.name, round(h.metres, 3)) for h in resp.context["result"].hits]


def pdf_glyphs_distinct(pdf: bytes, text: str) -> tuple[str, int]:
    """(page-1 text, number of distinct rendered glyph images for ``text``'s characters).

    Tofu (missing glyphs) renders every character as the same box, so distinct shapes for
    distinct characters means the Chinese was really set in a CJK font."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    tp = page.get_textpage()
    full = tp.get_text_range()
    start = full.index(text)
    scale = 4
    image = page.render(scale=scale).to_pil().convert("L")
    height = page.get_height()
    shapes = set()
    for i, _ch in enumerate(text):
        left, bottom, right, top = tp.get_charbox(start + i)
        box = (
            int(left * scale),
            int((height - top) * scale),
            int(right * scale) + 1,
            int((height - bottom) * scale) + 1,
        )
        crop = image.crop(box)
        shapes.add(crop.tobytes())
        assert int((255 - np.asarray(crop, dtype=np.int64)).sum()) > 0  # ink in every glyph box
    doc.close()
    return full, len(shapes)


def pdf_pages(pdf: bytes) -> list[tuple[int, int]]:
    """Each page's size in whole points."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [(round(p.get_width()), round(p.get_height())) for p in doc]
    finally:
        doc.close()
