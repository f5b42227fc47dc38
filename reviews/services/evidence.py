"""Evidence added by hand: by the person, or anyone above them in the chain."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.validation import check, past_date, plausible_date
from org.models import Activity, Person, Team
from org.services import activity_record
from org.types import User
from reviews.evidence_links import classify_url
from reviews.models import Evidence
from reviews.selectors.growth import competency_choices
from reviews.services.actors import check_person_writable

# Feedback evidence is someone else's word about the person: it exists only as the answer
# to a feedback request (feedback_answer), attributed to who gave it, never added by hand.
ANSWER_ONLY_KINDS = frozenset(
    {Evidence.Kind.PEER_FEEDBACK, Evidence.Kind.CROSS_FUNCTIONAL_FEEDBACK}
)
# The kinds a person or their manager may choose when adding evidence themselves.
HAND_KIND_CHOICES = [(v, label) for v, label in Evidence.Kind.choices if v not in ANSWER_ONLY_KINDS]


def check_hand_kind(kind: str) -> None:
    """Refuse a kind that is unknown or that only an answered feedback request gives."""
    if kind not in Evidence.Kind.values:
        raise ValidationError({"kind": [f"Unknown kind '{kind}'."]})
    if kind in ANSWER_ONLY_KINDS:
        label = Evidence.Kind(kind).label
        raise ValidationError(
            {
                "kind": [
                    f"{label} comes only from answering a feedback request; ask for feedback "
                    "instead of adding it by hand."
                ]
            }
        )


# More tags than a rubric has competencies is never meant.
MAX_TAGS = 50


def evidence_competencies_clean(*, person: Person, competencies: Any) -> list[str]:
    """The competency tags of an item of ``person``'s (SPEC §11.2): a list of distinct keys
    of their ladder's current published rubric version. Anything else is refused whole."""
    if competencies is None or competencies == []:
        return []
    if not isinstance(competencies, list) or not all(isinstance(k, str) for k in competencies):
        raise ValidationError({"competencies": ["Give a list of competency keys."]})
    if len(competencies) > MAX_TAGS:
        raise ValidationError({"competencies": [f"At most {MAX_TAGS} competencies."]})
    if len(set(competencies)) != len(competencies):
        raise ValidationError({"competencies": ["Each competency may be given only once."]})
    allowed = [key for key, _name in competency_choices(person)]
    if not allowed:
        raise ValidationError(
            {"competencies": ["This person's ladder has no published rubric to tag against."]}
        )
    unknown = [k for k in competencies if k not in allowed]
    if unknown:
        shown = ", ".join(f"'{k[:60]}'" for k in unknown[:5])
        raise ValidationError(
            {"competencies": [f"Not a competency of this person's rubric: {shown}."]}
        )
    # Rubric order, so an item reads the same whichever order the tags were given in.
    return [k for k in allowed if k in competencies]


def _validate_url(url: str) -> None:
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": ["Evidence links must start with http:// or https://."]})


@transaction.atomic
def evidence_create(
    *,
    actor: User,
    person: Person,
    title: str,
    occurred_on: datetime.date,
    kind: str = "",
    url: str = "",
    summary: str = "",
    outcome_team: Team | None = None,
    outcome_start: datetime.date | None = None,
    outcome_end: datetime.date | None = None,
    competencies: list[str] | None = None,
) -> Evidence:
    """The person and anyone above them in the chain add evidence; a recognised link
    sets the kind when none is given."""
    check_person_writable(actor, person, "evidence")
    check("occurred_on", occurred_on, past_date)
    check("outcome_start", outcome_start, plausible_date)
    check("outcome_end", outcome_end, plausible_date)
    _validate_url(url)
    tags = evidence_competencies_clean(person=person, competencies=competencies)
    if not kind or kind == Evidence.Kind.OTHER:
        kind = classify_url(url).kind or Evidence.Kind.OTHER
    check_hand_kind(kind)
    if outcome_team is not None or outcome_start or outcome_end:
        # A team_outcome item links to one team scorecard window.
        if kind == Evidence.Kind.OTHER:
            kind = Evidence.Kind.TEAM_OUTCOME
        if kind != Evidence.Kind.TEAM_OUTCOME:
            raise ValidationError({"kind": ["Only team_outcome evidence links to a scorecard."]})
        if outcome_team is None or not outcome_start or not outcome_end:
            raise ValidationError(
                {"outcome_team": ["Give the team, outcome_start and outcome_end together."]}
            )
        if outcome_end < outcome_start:
            raise ValidationError({"outcome_end": ["The window must end on or after it starts."]})
    item = Evidence(
        person=person,
        kind=kind,
        title=title,
        url=url,
        occurred_on=occurred_on,
        summary=summary,
        added_by=actor,
        outcome_team=outcome_team,
        outcome_start=outcome_start,
        outcome_end=outcome_end,
        competencies=tags,
    )
    item.full_clean()
    item.save()
    # Who added what kind for whom; the title and summary stay in the library.
    activity_record(
        actor=actor,
        action=Activity.Action.EVIDENCE_CREATED,
        target=item,
        new={"person": person.pk, "kind": kind, "source": item.source},
    )
    return item


@transaction.atomic
def evidence_competencies_set(*, actor: User, item: Evidence, competencies: Any) -> Evidence:
    """Re-tag an item (SPEC §11.2): whoever may add evidence for the person may say which
    competencies it speaks to. The item's history keeps the old tags."""
    check_person_writable(actor, item.person, "evidence")
    old = list(item.competencies or [])
    item.competencies = evidence_competencies_clean(person=item.person, competencies=competencies)
    item.save(update_fields=["competencies"])
    activity_record(
        actor=actor,
        action=Activity.Action.EVIDENCE_TAGGED,
        target=item,
        old={"competencies": old},
        new={"competencies": item.competencies},
    )
    return item
