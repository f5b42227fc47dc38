"""Reads for cycles, evidence, reviews, feedback and check-ins, scoped by SPEC §3.

Every list, page and export goes through these functions; nothing else decides who sees
which review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import caches
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404

from core.hooks import Hook
from core.page_cache import data_version
from org.models import Person
from org.selectors import (
    TIER_FULL,
    is_hr,
    person_for_user,
    person_get,
    person_in_chain,
    person_list,
    reporting_chain_ids,
    session_subject_ids,
)
from org.types import Viewer
from reviews.context import KEPT_SECONDS
from reviews.context import rubric_context as rubric_context
from reviews.context import team_context as team_context
from reviews.models import (
    Assessment,
    CheckIn,
    Evidence,
    FeedbackRequest,
    Review,
    ReviewCycle,
)
from rubrics.models import Rating

VISIBLE_TO_SUBJECT = (Review.Status.RELEASED, Review.Status.ACKNOWLEDGED)
# How many late people the cycle page lists before it only gives the count.
LATE_LIST_LIMIT = 300
# Up to this many people in a reporting chain, filters name them (chain_ids); beyond, they
# are the tree query itself.
OWNER_LIST_LIMIT = 500
MANY = "many"


def _get(qs: QuerySet[Any], pk: Any, what: str) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404(f"No such {what}.") from exc


def _nobody() -> Q:
    return Q(pk__in=[])


# --- Cycles ----------------------------------------------------------------------------


def cycle_list(*, user: Viewer) -> QuerySet[ReviewCycle]:
    """Cycle names, dates and status are open to every signed-in person."""
    if not getattr(user, "is_authenticated", False):
        return ReviewCycle.objects.none()
    return ReviewCycle.objects.prefetch_related("rubric_versions").order_by("-starts_on", "-id")


def cycle_get(*, user: Viewer, pk: Any) -> ReviewCycle:
    return _get(cycle_list(user=user), pk, "cycle")


def cycle_current(among: Sequence[ReviewCycle] | None = None) -> ReviewCycle | None:
    """The cycle people are working in: the newest open one, else the newest at all.
    ``among``: every cycle but the drafts, newest first, when the caller has them."""
    if among is not None:
        return next((c for c in among if c.status == ReviewCycle.Status.OPEN), None) or next(
            iter(among), None
        )
    open_cycle = ReviewCycle.objects.filter(status=ReviewCycle.Status.OPEN).first()
    return open_cycle or ReviewCycle.objects.exclude(status=ReviewCycle.Status.DRAFT).first()


def cycle_admin_list(*, user: Viewer) -> QuerySet[ReviewCycle]:
    """The cycles for HR's administration pages; to anyone else those pages do not exist
    (Http404, not 403: there is nothing there for them)."""
    if not is_hr(user):
        raise Http404("No such page.")
    return cycle_list(user=user).prefetch_related("rubric_versions__ladder")


def cycle_admin_get(*, user: Viewer, pk: Any) -> ReviewCycle:
    return _get(cycle_admin_list(user=user), pk, "cycle")


def cycle_progress(*, user: Viewer, cycle: ReviewCycle) -> dict[str, Any]:
    """Per-team counts of review states and the people who are late, in three queries,
    over the people and reviews ``user`` may see (HR: everyone).

    "Not started" is an active person on a ladder with no review in the cycle; "late"
    is not started or still a draft. The team is the subject's current team.
    """
    columns = ["not_started", "draft", "submitted", "calibrated", "released"]
    fold = {Review.Status.ACKNOWLEDGED: "released"}
    teams: dict[int | None, dict[str, Any]] = {}

    def row(team_id: int | None, name: str | None) -> Counter[str]:
        entry = teams.setdefault(team_id, {"name": name or "No team", "counts": Counter()})
        counts: Counter[str] = entry["counts"]
        return counts

    reviews = Review.objects.filter(cycle=cycle)
    visible = review_visibility(user)
    if visible is not None:
        reviews = reviews.filter(visible)
    reviewed = (
        reviews.order_by()
        .values_list("subject__team_id", "subject__team__name", "status")
        .annotate(n=Count("id"))
    )
    for team_id, name, state, n in reviewed:
        row(team_id, name)[fold.get(state, state)] += n

    has_review = reviews.filter(subject=OuterRef("pk"))
    people = person_list(user=user).filter(is_active=True)
    not_started = (
        people.filter(ladder__isnull=False)
        .exclude(Exists(has_review))
        .order_by()
        .values_list("team_id", "team__name")
        .annotate(n=Count("id"))
    )
    for team_id, name, n in not_started:
        row(team_id, name)["not_started"] += n

    late_qs = (
        people.annotate(review_status=Subquery(has_review.values("status")[:1]))
        .filter(
            Q(review_status__isnull=True, ladder__isnull=False)
            | Q(review_status=Review.Status.DRAFT)
        )
        .order_by("team__name", "full_name", "id")
    )
    late = list(late_qs[: LATE_LIST_LIMIT + 1])
    rows = sorted(teams.values(), key=lambda r: (r["name"] == "No team", r["name"]))
    totals: Counter[str] = Counter()
    for r in rows:
        totals.update(r["counts"])
        r["cells"] = [r["counts"][c] for c in columns]
    return {
        "team_rows": rows,
        "totals": [totals[c] for c in columns],
        "late": late[:LATE_LIST_LIMIT],
        "late_truncated": len(late) > LATE_LIST_LIMIT,
        "late_limit": LATE_LIST_LIMIT,
    }


# --- Evidence --------------------------------------------------------------------------


def evidence_visibility(user: Viewer) -> Q | None:
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return _nobody()
    return _evidence_owners_q(me, "person")


def _evidence_owners_q(me: Person, field: str) -> Q:
    """Whose evidence ``me`` may read (SPEC §3), as a Q on the person ``field`` names:
    their own, their reporting chain's, and the subjects of their open sessions'."""
    return (
        Q(**{field: me.pk})
        | Q(**{f"{field}__in": chain_ids(me)})
        | Q(**{f"{field}__in": session_subject_ids(me, open_only=True)})
    )


def evidence_list(*, user: Viewer) -> QuerySet[Evidence]:
    qs = Evidence.objects.select_related(
        "person", "attributed_to", "added_by__person", "outcome_team"
    ).order_by("-occurred_on", "-id")
    visible = evidence_visibility(user)
    return qs if visible is None else qs.filter(visible)


def evidence_get(*, user: Viewer, pk: Any) -> Evidence:
    return _get(evidence_list(user=user), pk, "evidence")


def person_can_add_evidence(*, user: Viewer, person: Person) -> bool:
    me = person_for_user(user)
    if me is None:
        return False
    return me.pk == person.pk or Person.objects.descendants(me).filter(pk=person.pk).exists()


def library_openable(*, user: Viewer, person_ids: Iterable[int]) -> set[int]:
    """Which of these people's evidence libraries ``user`` may open, in one query: the
    people whose evidence they may read (``evidence_visibility``: their own, their chain's,
    their open sessions' subjects; HR all). Teammates see each other's names but not each
    other's evidence. Opening is not adding: see ``person_can_add_evidence``."""
    ids = set(person_ids)
    if is_hr(user):
        return ids
    me = person_for_user(user)
    if me is None:
        return set()
    openable = Person.objects.filter(_evidence_owners_q(me, "pk"), pk__in=ids)
    return set(openable.values_list("pk", flat=True))


def library_person_get(*, user: Viewer, pk: Any) -> Person:
    """The person whose library ``user`` opens; anyone else's is the same 404 as no
    such person."""
    person = person_get(user=user, pk=pk)
    if not library_openable(user=user, person_ids=[person.pk]):
        raise Http404("No such person.")
    return person


# --- Reviews ---------------------------------------------------------------------------


def _no_reviews(me: Person) -> QuerySet[Any]:
    return Review.objects.none().values("pk")


# Reviews in calibration sessions ``me`` sits on, as a subquery of review ids. Answered by
# calibration (calibration.apps).
session_review_ids: Hook[[Person], QuerySet[Any]] = Hook("session_review_ids", _no_reviews)


def _no_promotions(*, user: Viewer, cycle: ReviewCycle) -> list[Any]:
    return []


# The cycle's approved promotions and whether they were applied, for HR's cycle page.
# Answered by calibration (calibration.promotions.approved_promotions).
cycle_promotions: Hook[..., list[Any]] = Hook("cycle_promotions", _no_promotions)


def feedback_subject_ids(me: Person, *, open_only: bool = False) -> QuerySet[Any]:
    """People ``me`` has been asked to give feedback on (org's person tiers ask this)."""
    return FeedbackRequest.objects.filter(respondent=me).values("subject_id")


def review_visibility(user: Viewer) -> Q | None:
    """HR: all. Managers: reviews of their reporting chain. Subjects: their own, once
    released. (Committee members see reviews through their calibration cases.)"""
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return _nobody()
    in_my_sessions = session_review_ids(me)
    return (
        Q(subject__in=chain_ids(me))
        | Q(subject=me, status__in=VISIBLE_TO_SUBJECT)
        | Q(pk__in=in_my_sessions)
    )


def chain_ids(me: Person) -> list[int] | QuerySet[Any]:
    """Everyone below ``me`` (org's reporting chain): the ids while there are at most
    OWNER_LIST_LIMIT of them, else the subquery itself.

    The tree query that finds them costs more than the rest of most pages, so the ids are
    kept in the cache under ``me`` and the data version, which any write to the database
    replaces (core.page_cache): they are never older than the org they come from."""
    key = f"reviews:chain:{me.pk}:{data_version()}"
    kept = caches["default"].get(key)
    if kept is None:
        if not Person.objects.filter(parent=me).exists():
            kept = []  # no one reports to them: spare the tree query
        else:
            ids = list(reporting_chain_ids(me).values_list("pk", flat=True)[: OWNER_LIST_LIMIT + 1])
            kept = ids if len(ids) <= OWNER_LIST_LIMIT else MANY
        caches["default"].set(key, kept, KEPT_SECONDS)
    return reporting_chain_ids(me) if kept == MANY else list(kept)


def with_review_contents(qs: QuerySet[Review]) -> QuerySet[Review]:
    """Everything a review's representation and lint need, in a fixed number of queries."""
    return qs.select_related(
        "cycle", "subject", "subject__team", "author", "rubric_version", "rubric_version__ladder"
    ).prefetch_related(
        Prefetch(
            "assessments",
            queryset=Assessment.objects.order_by("order", "id").prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("occurred_on", "id"))
            ),
        ),
        Prefetch("rubric_version__ratings", queryset=Rating.objects.order_by("order")),
    )


def review_rows(*, user: Viewer) -> QuerySet[Review]:
    """The reviews ``user`` may see, nothing selected or prefetched with them: what lists
    and pages show of a review beyond its row is stored with it (reviews.contents)."""
    qs = Review.objects.order_by("-created_at", "-id")
    visible = review_visibility(user)
    return qs if visible is None else qs.filter(visible)


def chain_people(*, me: Person, chain: list[int] | QuerySet[Any]) -> QuerySet[Person]:
    """The active people of ``me``'s reporting chain (``chain``: chain_ids(me)), with their
    team: the people org.selectors.person_list shows ``me`` in full (its "full" tier is
    ``me`` and their chain), read without its tier expression, which finds the chain
    twice more."""
    return (
        Person.objects.filter(pk__in=chain, is_active=True)
        .select_related("team")
        .annotate(person_tier=Value(TIER_FULL, output_field=CharField()))
    )


def chain_reviews(*, me: Person, chain: list[int] | QuerySet[Any]) -> QuerySet[Review]:
    """The reviews of the people in ``me``'s reporting chain (``chain``: chain_ids(me)),
    which review_visibility shows ``me`` by its first rule, without finding the chain again."""
    return Review.objects.filter(subject__in=chain).order_by("-created_at", "-id")


def own_released_reviews(*, me: Person) -> QuerySet[Review]:
    """``me``'s own reviews that review_visibility shows them: once released."""
    return Review.objects.filter(subject=me, status__in=VISIBLE_TO_SUBJECT).order_by(
        "-created_at", "-id"
    )


def review_row_get(*, user: Viewer, pk: Any) -> Review:
    return _get(review_rows(user=user), pk, "review")


def review_page_get(*, user: Viewer, pk: Any) -> Review:
    """A review ``user`` may see, with what a page about it names (its cycle, subject and
    their team, author and rubric); its assessments and checks are stored with it."""
    rows = review_rows(user=user).select_related(
        "cycle",
        "subject",
        "subject__team",
        "team",
        "author",
        "rubric_version",
        "rubric_version__ladder",
    )
    return _get(rows, pk, "review")


def review_list(*, user: Viewer) -> QuerySet[Review]:
    """The reviews ``user`` may see, with everything their lint needs prefetched."""
    return with_review_contents(review_rows(user=user))


def review_get(*, user: Viewer, pk: Any) -> Review:
    return _get(review_list(user=user), pk, "review")


def review_can_write(*, user: Viewer, review: Review) -> bool:
    """Managers above the subject write a review while it is a draft (HR only reads)."""
    me = person_for_user(user)
    if me is None or me.pk == review.subject_id:
        return False
    chain = chain_ids(me)
    if isinstance(chain, list):
        return review.subject_id in chain
    return chain.filter(pk=review.subject_id).exists()


# --- Feedback --------------------------------------------------------------------------


def feedback_visibility(user: Viewer) -> Q | None:
    if is_hr(user):
        return None
    me = person_for_user(user)
    if me is None:
        return _nobody()
    return Q(requested_by=me) | Q(respondent=me) | Q(subject=me) | Q(subject__in=chain_ids(me))


def feedback_list(*, user: Viewer) -> QuerySet[FeedbackRequest]:
    qs = FeedbackRequest.objects.select_related(
        "cycle", "subject", "respondent", "requested_by", "evidence"
    ).order_by("-created_at", "-id")
    visible = feedback_visibility(user)
    return qs if visible is None else qs.filter(visible)


def feedback_get(*, user: Viewer, pk: Any) -> FeedbackRequest:
    return _get(feedback_list(user=user), pk, "feedback request")


# --- Check-ins -------------------------------------------------------------------------


def check_in_visibility(user: Viewer) -> Q:
    """The person and their manager chain only: not HR, not peers (SPEC §3)."""
    me = person_for_user(user)
    if me is None:
        return _nobody()
    return Q(person=me) | Q(person__in=chain_ids(me))


def check_in_list(*, user: Viewer) -> QuerySet[CheckIn]:
    if not getattr(user, "is_authenticated", False):
        return CheckIn.objects.none()
    return (
        CheckIn.objects.select_related("person", "manager")
        .filter(check_in_visibility(user))
        .order_by("-occurred_on", "-id")
    )


def check_in_get(*, user: Viewer, pk: Any) -> CheckIn:
    return _get(check_in_list(user=user), pk, "check-in")


def check_in_person_get(*, user: Viewer, pk: Any) -> Person:
    """The person whose check-ins ``user`` opens: check-ins belong to the person and their
    managers, so HR and peers get the same 404 as no such person."""
    person = person_get(user=user, pk=pk)
    me = person_for_user(user)
    if me is None or not (me.pk == person.pk or person_in_chain(manager=me, person=person)):
        raise Http404("No such person.")
    return person


def check_in_people(*, user: Viewer) -> QuerySet[Person]:
    """The active people in ``user``'s reporting chain, each with ``last_check_in`` (the
    date of their latest check-in, or None)."""
    me = person_for_user(user)
    if me is None:
        return Person.objects.none()
    latest = (
        CheckIn.objects.filter(person=OuterRef("pk"))
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    return (
        person_list(user=user)
        .filter(pk__in=chain_ids(me), is_active=True)
        .annotate(last_check_in=Subquery(latest))
        .order_by("full_name", "id")
    )
