"""Demo rubrics: the Engineering IC and Engineering Manager ladders, version 1 published
and a version 2 draft with a few changes (so the diff has something to show)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from org.types import User
from rubrics import services
from rubrics.models import Ladder

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
LADDER_FILES = ["rubric_engineering_ic.json", "rubric_engineering_manager.json"]


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _apply_draft(base: dict[str, Any], draft: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Version 2 = version 1 with the draft's replaced and added items."""

    def merge(items: list[dict[str, Any]], changes: list[dict[str, Any]], key: Any) -> list:
        out = {key(i): i for i in items}
        for c in changes:
            out[key(c)] = c
        return list(out.values())

    removed = set(draft.get("remove_competencies", []))
    comps = [c for c in base["competencies"] if c["key"] not in removed]
    return {
        "levels": merge(base["levels"], draft.get("levels", []), lambda x: x["code"]),
        "competencies": merge(comps, draft.get("competencies", []), lambda x: x["key"]),
        "expectations": merge(
            [e for e in base["expectations"] if e["competency"] not in removed],
            draft.get("expectations", []),
            lambda x: (x["level"], x["competency"]),
        ),
        "ratings": base["ratings"],
    }


def seed_rubrics(*, actor: User) -> dict[str, Ladder]:
    ladders: dict[str, Ladder] = {}
    for name in LADDER_FILES:
        data = _load(name)
        ladder = services.ladder_create(actor=actor, **data["ladder"])
        contents = {k: data[k] for k in services.CONTENT_LISTS}
        v1 = services.rubric_version_create(
            actor=actor, ladder=ladder, change_summary=data["change_summary"], **contents
        )
        services.rubric_version_publish(actor=actor, version=v1)
        services.rubric_version_create(
            actor=actor,
            ladder=ladder,
            change_summary=data["draft"]["change_summary"],
            **_apply_draft(contents, data["draft"]),
        )
        ladders[ladder.slug] = ladder
    return ladders
