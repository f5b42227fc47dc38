"""`{{ text|markdown }}`: the one place narrative Markdown becomes HTML in templates.

The output is sanitised by core.markdown (markdown-it `js-default` + nh3 allow-list)
before it is marked safe, so no user-written script or handler survives.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3 above
