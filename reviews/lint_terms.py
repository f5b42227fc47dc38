"""The phrase lists the review quality checks look for, compiled for fast matching.

The lists are LintTerm rows (loaded from ``reviews/lint_data/*.json``, which name their
research sources; HR edits them in the admin). Phrases match case-insensitively as whole
words; any run of whitespace (line breaks included) matches a space in a phrase, and a
hyphen matches a hyphen or whitespace ("go-to person" = "go to person"). Matching is
plain text: negations ("not abrasive") and Markdown code spans are not special. The
checks that use them are in reviews.lint.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviews.models import LintTerm

LINT_DATA_DIR = Path(__file__).resolve().parent / "lint_data"

# The phrase checks, in the order their findings are listed at the same position
# (vague_judgement first: assessments with evidence skip it).
TERM_CODES = (
    LintTerm.Code.VAGUE_JUDGEMENT.value,
    LintTerm.Code.PERSONALITY.value,
    LintTerm.Code.HEDGING.value,
    LintTerm.Code.VAGUE_PRAISE.value,
)


@dataclass(frozen=True)
class Term:
    code: str
    phrase: str
    suggestion: str


@dataclass(frozen=True)
class Terms:
    """Compiled phrase lists: one pattern per code; group ``t<i>`` is ``terms[i]``.

    Each pattern matches one character more than the phrase: the one before it, which
    must not be a letter or digit (a word boundary that, unlike a lookbehind, lets the
    regex engine skip ahead to candidate positions). Texts are scanned with a space in
    front (``padded``), so a phrase at the very start has such a character too.
    ``anywhere`` matches any phrase of any code (None when there are no phrases): most
    texts have none, and are then scanned once instead of once per code.

    ``rows`` are the (code, phrase, suggestion) rows compiled, sorted, and ``digest`` a
    fingerprint of them: what the stored lint of a review is checked against."""

    patterns: Mapping[str, re.Pattern[str]]
    terms: tuple[Term, ...]
    anywhere: re.Pattern[str] | None
    rows: tuple[tuple[str, str, str], ...] = ()
    digest: str = ""

    def first(self, padded: str) -> int | None:
        """Where the scans of ``padded`` start (no phrase of any code starts before), or
        None when it has no phrase at all."""
        if self.anywhere is None:
            return None
        m = self.anywhere.search(padded)
        return None if m is None else m.start()

    def find(self, code: str, padded: str, pos: int = 0) -> Iterator[tuple[int, int, Term]]:
        """(start, end, term) of each match in the text, ``padded`` being ``" " + text``:
        left to right and not overlapping, as ``finditer`` would give them."""
        pattern = self.patterns.get(code)
        if pattern is None:
            return
        search = pattern.search
        m = search(padded, pos)
        while m is not None:
            assert m.lastgroup is not None
            # The phrase starts at m.start() + 1 in padded, so at m.start() in the text.
            # The next phrase may start right where this one ends: the search resumes at
            # the character before that.
            end = m.end() - 1
            yield m.start(), end, self.terms[int(m.lastgroup[1:])]
            m = search(padded, end)


def _phrase_regex(phrase: str) -> str:
    words = [re.escape(w).replace("'", "['’]") for w in re.split(r"[\s-]+", phrase.strip())]
    return r"[\s-]+".join(w for w in words if w)


def _pattern(alts: Sequence[tuple[str | None, str]]) -> re.Pattern[str]:
    """The pattern of (group name or None, regex) alternatives in priority order.

    At any position only phrases starting with the same letter or digit can match, so
    those are grouped behind that character: the engine tries one group instead of every
    phrase. Distinct ASCII letters and digits never match the same character, even
    ignoring case, so the first phrase in priority order that matches still wins. When a
    phrase starts with anything else, the phrases stay a plain alternation.

    Letters and digits bound a match; underscores do not, so Markdown's _emphasis_
    still matches."""

    def group(name: str | None, regex: str) -> str:
        return f"(?P<{name}>{regex})" if name else f"(?:{regex})"

    if all(regex[0].isascii() and regex[0].isalnum() for _, regex in alts):
        groups: dict[str, list[str]] = {}
        for name, regex in alts:
            # An ASCII letter or digit is its own regex (re.escape leaves it alone).
            groups.setdefault(regex[0].lower(), []).append(group(name, regex[1:]))
        body = "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items())
    else:
        body = "|".join(group(name, regex) for name, regex in alts)
    return re.compile(rf"[\W_](?:{body})(?![^\W_])", re.IGNORECASE)


@functools.lru_cache(maxsize=8)
def _compile(rows: tuple[tuple[str, str, str], ...]) -> Terms:
    terms: list[Term] = []
    alternatives: dict[str, list[tuple[int, str, str]]] = {code: [] for code in TERM_CODES}
    for code, phrase, suggestion in rows:
        regex = _phrase_regex(phrase)
        if code not in alternatives or not regex:
            continue
        alternatives[code].append((len(phrase), f"t{len(terms)}", regex))
        terms.append(Term(code=code, phrase=phrase, suggestion=suggestion))
    patterns: dict[str, re.Pattern[str]] = {}
    for code, alts in alternatives.items():
        if alts:
            # Longest phrase first, so "lacks executive presence" wins over a shorter
            # phrase starting at the same place.
            patterns[code] = _pattern([(n, r) for _, n, r in sorted(alts, key=lambda a: -a[0])])
    every = sorted({r for alts in alternatives.values() for _, _, r in alts})
    anywhere = _pattern([(None, r) for r in every]) if every else None
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
    return Terms(patterns=patterns, terms=tuple(terms), anywhere=anywhere, rows=rows, digest=digest)


def compile_terms(rows: Iterable[tuple[str, str, str]]) -> Terms:
    """Compile (code, phrase, suggestion) rows; the result is cached by its rows."""
    return _compile(tuple(sorted(rows)))


def load_terms() -> Terms:
    """The active LintTerm rows, compiled. Costs one query."""
    rows = LintTerm.objects.filter(is_active=True).values_list("code", "phrase", "suggestion")
    return compile_terms(rows)


def terms_from_files(directory: Path = LINT_DATA_DIR) -> Terms:
    """The phrase lists as shipped in ``lint_data/`` (no database)."""
    rows = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rows += [(data["code"], t["phrase"], t.get("suggestion", "")) for t in data["terms"]]
    return compile_terms(rows)
