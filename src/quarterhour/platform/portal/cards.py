"""Convenience cards and handbooks: a QR code to the community's page, and PDF via WeasyPrint
(CJK glyphs from the system's Noto CJK fonts; see the README's deployment notes)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code (our own markup from the qrcode package; no outside request)."""
    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    text = buf.getvalue().decode("utf-8")
    start = text.find("<svg")
    return mark_safe(text[start:])


def _local_fetcher() -> Any:
    """A WeasyPrint fetcher that serves our own static files only, never the network."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = urlsplit(url).path
            if path.startswith(settings.STATIC_URL):
                found = finders.find(path[len(settings.STATIC_URL) :])
                if isinstance(found, str):
                    with open(found, "rb") as fh:
                        body = fh.read()
                    mime = "text/css" if found.endswith(".css") else "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
            raise ValueError(f"not fetched for a PDF: {url}")

    return LocalFetcher()


def pdf_bytes(html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=base_url, url_fetcher=_local_fetcher()).write_pdf())


#: tighter settings of a card's print style, tried in turn until the card fits its pages
DENSITIES = ("", "dense", "denser")


def fitted_pdf(render: Callable[[str], str], base_url: str, *, max_pages: int) -> bytes:
    """The PDF of ``render(density)`` at the first density (:data:`DENSITIES`) whose layout
    takes at most ``max_pages`` pages (the last one whatever it takes)."""
    from weasyprint import HTML

    def layout(density: str) -> Any:
        html = HTML(string=render(density), base_url=base_url, url_fetcher=_local_fetcher())
        return html.render()

    document = layout(DENSITIES[0])
    for density in DENSITIES[1:]:
        if len(document.pages) <= max_pages:
            break
        document = layout(density)
    return bytes(document.write_pdf())


def pdf_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    name: str,
    *,
    max_pages: int | None = None,
) -> HttpResponse:
    """The page as a PDF; with ``max_pages``, set tighter until it fits that many pages."""

    def render(density: str) -> str:
        ctx = {**context, "for_pdf": True, "density": density}
        return render_to_string(template, ctx, request=request)

    base = request.build_absolute_uri("/")
    if max_pages is None:
        pdf = pdf_bytes(render(""), base)
    else:
        pdf = fitted_pdf(render, base, max_pages=max_pages)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
