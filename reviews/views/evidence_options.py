"""The review editor's evidence checkboxes, rendered in Python.

Each competency lists every item of the subject's library, so a library of 20 items is
120 options on the page. What an option shows of its item (title, kind, date, link) is
formatted once per item; each competency's options are then one format_html each, where a
template include per option would render its nodes a hundred times over. The markup is the
option the page has always had.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reviews.models import Evidence

OPTION = (
    '<li class="evidence-option">\n'
    '  <input type="checkbox" name="{name}" value="{pk}" id="{id}_{pk}"{checked}>\n'
    '  <div class="evidence-option__body">\n'
    '    <label for="{id}_{pk}">{title}</label>\n'
    "    {meta}\n"
    "  </div>\n"
    "</li>\n"
)
META = '<span class="evidence-option__meta">{} · <time datetime="{}">{}</time>{}{}</span>'
OUTSIDE = mark_safe(" · <strong>outside this cycle's period</strong>")  # noqa: S308
LINK = (
    ' · <a href="{}" rel="noopener noreferrer">'
    'Open link<span class="visually-hidden">: {}</span></a>'
)
CHECKED = mark_safe(" checked")  # noqa: S308


@dataclass(frozen=True)
class Item:
    pk: int
    title: str
    inside: bool
    meta: SafeString


def link_of(e: Evidence) -> str:
    """The item's link, when it may be one: links come from users, only http(s) ones."""
    return e.url if e.url.lower().startswith(("http://", "https://")) else ""


def library_items(
    evidence: Sequence[Evidence], period: tuple[datetime.date, datetime.date]
) -> list[Item]:
    """Each item as an option shows it, in library order."""
    items = []
    for e in evidence:
        inside = period[0] <= e.occurred_on <= period[1]
        href = link_of(e)
        meta = format_html(
            META,
            e.get_kind_display(),
            date_format(e.occurred_on, "Y-m-d"),
            date_format(e.occurred_on, "j M Y"),
            "" if inside else OUTSIDE,
            format_html(LINK, href, e.title) if href else "",
        )
        items.append(Item(pk=e.pk, title=e.title, inside=inside, meta=meta))
    return items


def options(
    items: Sequence[Item], *, name: str, auto_id: str, checked: set[str]
) -> list[SafeString]:
    """One competency's checkboxes (``name``/``auto_id``: its evidence field's)."""
    return [
        format_html(
            OPTION,
            name=name,
            pk=item.pk,
            id=auto_id,
            checked=CHECKED if str(item.pk) in checked else "",
            title=item.title,
            meta=item.meta,
        )
        for item in items
    ]
