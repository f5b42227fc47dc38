"""`make bench` for the fairness audit runs end to end on a small org (numbers, no
timings): the report through the API, the selector and the page, as HR, and its PDF."""

from __future__ import annotations

import io

import pytest

from demo.bench import audit as bench

pytestmark = pytest.mark.django_db


def test_the_audit_bench_measures_the_api_the_selector_the_page_and_the_pdf(world):
    out = io.StringIO()
    people = {"hr": world.hr, "vp": world.director, "manager": world.manager}

    bench.run(out, people)

    text = out.getvalue()
    for label in ("Audit report API", "audit_report selector", "Audit report page", "PDF"):
        assert label in text, label
    assert "Audit report queries" in text
