"""Recognise common evidence links and label them by kind.

Pull/merge requests and issues on GitHub and GitLab, incidents from the usual incident
tools, and design documents in the usual document tools. Anything else is "other".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class LinkInfo:
    kind: str | None  # an Evidence.Kind value, or None when not recognised
    label: str  # short human label, e.g. "acme/api#123"


_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"(?i)^(?:www\.)?github\.com/([^/]+/[^/]+)/pull/(\d+)"), "pull_request", "{0}#{1}"),
    (
        re.compile(r"(?i)^(?:www\.)?github\.com/([^/]+/[^/]+)/issues/(\d+)"),
        "other",
        "{0} issue #{1}",
    ),
    (re.compile(r"(?i)^gitlab\.[^/]+/(.+?)/-/merge_requests/(\d+)"), "pull_request", "{0}!{1}"),
    (re.compile(r"(?i)^gitlab\.[^/]+/(.+?)/-/issues/(\d+)"), "other", "{0} issue #{1}"),
    (re.compile(r"(?i)^[^/]*pagerduty\.com/incidents/(\w+)"), "incident", "PagerDuty incident {0}"),
    (re.compile(r"(?i)^[^/]*incident\.io/.*incidents/([\w-]+)"), "incident", "incident {0}"),
    (re.compile(r"(?i)^[^/]*opsgenie\.com/.*(?:alert|incident)"), "incident", "Opsgenie incident"),
    (re.compile(r"(?i)^docs\.google\.com/document/"), "design_doc", "Google Doc"),
    (re.compile(r"(?i)^(?:www\.)?notion\.so/"), "design_doc", "Notion page"),
    (re.compile(r"(?i)^[^/]*atlassian\.net/wiki/"), "design_doc", "Confluence page"),
]
_POSTMORTEM = re.compile(r"post-?mortem|retrospective|incident-review", re.IGNORECASE)


def classify_url(url: str) -> LinkInfo:
    if not url:
        return LinkInfo(None, "")
    parts = urlsplit(url)
    where = parts.netloc + parts.path
    for pattern, kind, label in _PATTERNS:
        # Patterns ignore case; the label keeps the link's own spelling.
        match = pattern.match(where)
        if match:
            if kind == "design_doc" and _POSTMORTEM.search(url):
                kind = "postmortem"
            return LinkInfo(kind, label.format(*match.groups()))
    if _POSTMORTEM.search(parts.path):
        return LinkInfo("postmortem", parts.netloc)
    return LinkInfo(None, parts.netloc)
