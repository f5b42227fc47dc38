"""PDF rendering: a template becomes HTML, WeasyPrint turns it into a PDF.

WeasyPrint may only read our own static files and the DejaVu fonts that ship with
matplotlib (bundled, so PDFs look the same on every machine); every other URL, local
or remote, is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
STATIC_DIR = Path(settings.BASE_DIR) / "static"
ALLOWED_DIRS = (FONT_DIR.resolve(), STATIC_DIR.resolve())


class LocalOnlyFetcher(weasyprint.URLFetcher):
    """Serves file:// URLs inside the allowed folders and data: URLs; refuses the rest."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0].split("#")[0]).resolve()
            if any(path.is_relative_to(d) for d in ALLOWED_DIRS) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"Resource not allowed in PDFs: {url[:200]}")


def pdf_context() -> dict[str, Any]:
    return {
        "font_dir": FONT_DIR.as_uri(),
        "static_dir": STATIC_DIR.as_uri(),
        "generated_at": timezone.now(),
        "site_name": settings.SITE_NAME,
    }


def render_pdf_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, {**pdf_context(), **context})


# Where a link in a PDF may lead: a web page, an email address, or (``#id``) a place in the
# same document. A relative link (``/reviews/3/`` or ``notes.md`` in a narrative) has no
# site address to resolve against in a file that travels by email; resolving it against a
# local base URL wrote ``file:///<install path>/...`` into the PDF, revealing the server's
# folders. Such links keep their text and lose the link.
LINK_SCHEMES = ("http://", "https://", "mailto:")


def _drop_unopenable_links(root: Any) -> None:
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.rpartition("}")[2] != "a":
            continue
        for attribute in [name for name in element.attrib if name.rpartition("}")[2] == "href"]:
            href = element.attrib[attribute].strip()
            if not (href.lower().startswith(LINK_SCHEMES) or (href.startswith("#") and href[1:])):
                del element.attrib[attribute]


def render_pdf_pages(template: str, context: dict[str, Any]) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    html = render_pdf_html(template, context)
    # No base URL: templates name fonts and static files by absolute URI (pdf_context), so
    # nothing in a document is resolved against a folder on this machine.
    source = weasyprint.HTML(string=html, base_url=None, url_fetcher=LocalOnlyFetcher())
    _drop_unopenable_links(source.etree_element)
    document = source.render()
    return bytes(document.write_pdf()), len(document.pages)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    return render_pdf_pages(template, context)[0]
