"""Reads for upward feedback (SPEC §11.4): which rounds a user sees, what of them, and the
aggregate. One place decides rows and fields:

- readers (the subject, their manager chain above them, HR) see the round, how many of
  the invited have answered and, once enough have, the aggregate. Never who answered.
- respondents (the subject's reports who were invited) see the round's questions and
  whether they themselves have answered. Never the results, never others' answers.
- everyone else: the round does not exist (404).

No read here returns an answer row with anything that could name its author: answers have
no such column, and the aggregate lists comments sorted by their text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.fields import parse_id
from org.models import Person
from org.selectors import is_hr, person_choices, person_for_user, reporting_chain_ids
from org.types import Viewer
from rubrics.models import Competency, Expectation, Ladder, RubricVersion
from rubrics.selectors import ladder_current_version
from upward.models import Frequency, UpwardAnswer, UpwardInvitation, UpwardRound

MANAGER_LADDER_SLUG = "engineering-manager"
PROMPT_COUNT = 3


def threshold() -> int:
    """How many answers the results wait for (ANONYMOUS_MIN_RESPONSES, at least 2)."""
    return max(2, int(settings.ANONYMOUS_MIN_RESPONSES))


def _count_of(qs: QuerySet[Any]) -> Coalesce:
    counted = qs.order_by().values("round").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def round_list(*, user: Viewer) -> QuerySet[UpwardRound]:
    """Rounds ``user`` may see, each annotated with ``is_reader`` (may see the counts and
    results), ``is_invited``, ``i_answered``, ``invited_count`` and ``answered_count``."""
    if not getattr(user, "is_authenticated", False):
        return UpwardRound.objects.none()
    me = person_for_user(user)
    invitations = UpwardInvitation.objects.filter(round=OuterRef("pk"))
    qs = UpwardRound.objects.select_related("subject__team", "requested_by", "cycle").annotate(
        invited_count=_count_of(invitations),
        answered_count=_count_of(invitations.filter(has_answered=True)),
    )
    if me is None:
        qs = qs.annotate(
            is_invited=Value(False, output_field=BooleanField()),
            i_answered=Value(False, output_field=BooleanField()),
        )
    else:
        mine = invitations.filter(respondent=me)
        qs = qs.annotate(is_invited=Exists(mine), i_answered=Exists(mine.filter(has_answered=True)))
    if is_hr(user):
        return qs.annotate(is_reader=Value(True, output_field=BooleanField()))
    if me is None:
        return qs.none()
    reader = Q(subject=me) | Q(subject__in=reporting_chain_ids(me))
    return qs.annotate(
        is_reader=Exists(UpwardRound.objects.filter(reader, pk=OuterRef("pk")))
    ).filter(Q(is_reader=True) | Q(is_invited=True))


def with_answers(qs: QuerySet[UpwardRound]) -> QuerySet[UpwardRound]:
    """For lists that show results: every round's answers in one more query."""
    return qs.prefetch_related(
        Prefetch(
            "answers", queryset=UpwardAnswer.objects.order_by("id").only("items", "shown", "round")
        )
    )


def round_get(*, user: Viewer, pk: Any) -> UpwardRound:
    number = parse_id(pk)
    found = round_list(user=user).filter(pk=number).first() if number is not None else None
    if found is None:
        raise Http404("No such feedback round.")
    return found


def round_can_close(*, user: Viewer, round: UpwardRound) -> bool:
    """HR, or whoever asked."""
    if is_hr(user):
        return True
    me = person_for_user(user)
    return me is not None and round.requested_by_id == me.pk


def subject_choices(*, user: Viewer) -> QuerySet[Person]:
    """The managers ``user`` may ask about: anyone active with an active report, below
    ``user`` in the reporting chain (HR: anyone but themself)."""
    has_reports = Exists(Person.objects.filter(parent=OuterRef("pk"), is_active=True))
    qs = person_choices(user=user).filter(has_reports)
    me = person_for_user(user)
    if me is not None:
        qs = qs.exclude(pk=me.pk)
    if is_hr(user):
        return qs
    if me is None:
        return qs.none()
    return qs.filter(pk__in=reporting_chain_ids(me))


def invitees_for(subject: Person) -> list[Person]:
    """Who is asked: the subject's active direct reports."""
    return list(Person.objects.filter(parent=subject, is_active=True).order_by("full_name", "id"))


def prompt_version(subject: Person) -> RubricVersion | None:
    """The rubric the questions come from: the subject's own ladder if it is a manager
    ladder with enough competencies, else the Engineering Manager ladder's current
    published version (None when there is none)."""
    ladder = subject.ladder
    if ladder is not None and "manager" in ladder.slug:
        version = ladder_current_version(ladder)
        if version is not None and version.competencies.count() >= PROMPT_COUNT:
            return version
    return prompt_version_default()


def prompt_version_default() -> RubricVersion | None:
    """The Engineering Manager ladder's current published version, if it has at least
    three competencies (the choices the page offers)."""
    ladder = Ladder.objects.filter(slug=MANAGER_LADDER_SLUG).first()
    version = ladder_current_version(ladder) if ladder is not None else None
    if version is None or version.competencies.count() < PROMPT_COUNT:
        return None
    return version


def competency_options(version: RubricVersion | None) -> list[Competency]:
    if version is None:
        return []
    return list(version.competencies.order_by("order", "key"))


def prompts_for(version: RubricVersion, subject: Person, keys: list[str]) -> list[dict[str, str]]:
    """The questions, with the expectation at the subject's level copied in."""
    by_key = {c.key: c for c in version.competencies.all()}
    texts = dict(
        Expectation.objects.filter(version=version, level__code=subject.level).values_list(
            "competency__key", "text"
        )
    )
    return [
        {
            "key": key,
            "name": by_key[key].name,
            "description": by_key[key].description,
            "level": subject.level if key in texts else "",
            "expectation": texts.get(key, ""),
        }
        for key in keys
    ]


@dataclass
class PromptResult:
    key: str
    name: str
    counts: list[dict[str, Any]]
    comments: list[str] = field(default_factory=list)


@dataclass
class Results:
    included: int  # answers in these results
    held_back: int  # answers not in them yet (fewer than the threshold arrived since)
    prompts: list[PromptResult]


def round_results(*, round: UpwardRound) -> Results | None:
    """The aggregate readers see, or None until ``threshold()`` answers are in it.

    Per prompt, the number of answers per choice and the comments, sorted by their text.
    Only answers marked ``shown`` count: they join in batches (upward.services)."""
    if not getattr(round, "is_reader", False):
        return None
    answers = [(a.items, a.shown) for a in round.answers.all()]
    shown = [items for items, is_shown in answers if is_shown]
    if len(shown) < threshold():
        return None
    prompts = []
    for prompt in round.prompts:
        picked = [items.get(prompt["key"], {}) for items in shown]
        counts = [
            {
                "choice": value,
                "label": label,
                "count": sum(1 for p in picked if p.get("choice") == value),
            }
            for value, label in Frequency.choices
        ]
        comments = sorted(c for p in picked if (c := str(p.get("comment", "")).strip()))
        prompts.append(PromptResult(prompt["key"], prompt["name"], counts, comments))
    return Results(included=len(shown), held_back=len(answers) - len(shown), prompts=prompts)


def pending_invitations(*, user: Viewer) -> QuerySet[UpwardRound]:
    """Open rounds ``user`` is asked to answer and has not (for the home page)."""
    still_open = Q(closes_on__isnull=True) | Q(closes_on__gte=timezone.localdate())
    waiting = Q(is_invited=True, i_answered=False)  # annotations of round_list
    return round_list(user=user).filter(still_open, waiting, status=UpwardRound.Status.OPEN)
