"""Ladders from outside (SPEC §10.7): a version exported as YAML or CSV and imported again is
a new draft with an empty diff against its source; bad files answer 400 naming the line and
column and write nothing; no import ever changes an existing version."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from org.models import AccessLog
from rubrics import services
from rubrics.exchange import CSV_COLUMNS
from rubrics.models import RubricVersion
from rubrics.selectors import version_as_data, with_contents
from tests.factories import make_ladder
from tests.rubrics.helpers import VERSIONS_URL, contents, row_counts, version_url

pytestmark = pytest.mark.django_db

IMPORT_URL = VERSIONS_URL + "import/"
HISTORY = "/rubrics/engineering-ic/history/"
PAGE_IMPORT = "/rubrics/engineering-ic/import/"


@pytest.fixture
def hr(api_for):
    return api_for("hr")


def _fresh(version: RubricVersion) -> RubricVersion:
    return with_contents(RubricVersion.objects.filter(pk=version.pk)).get()


def _snapshot(version: RubricVersion) -> dict[str, Any]:
    """Everything a version holds and says about itself, to compare before and after."""
    v = _fresh(version)
    return {
        "status": v.status,
        "number": v.number,
        "change_summary": v.change_summary,
        "published_at": v.published_at,
        "data": version_as_data(v),
        "level_ids": sorted(v.levels.values_list("pk", flat=True)),
        "expectation_ids": sorted(v.expectations.values_list("pk", flat=True)),
    }


def _export(client, version, fmt: str) -> bytes:
    response = client.get(version_url(version) + f"export/?format={fmt}")
    assert response.status_code == 200, response.content
    return response.content


def _import(client, ladder, name: str, content: bytes | str):
    if isinstance(content, str):
        content = content.encode()
    upload = SimpleUploadedFile(name, content)
    return client.post(IMPORT_URL, {"ladder": ladder.pk, "file": upload}, format="multipart")


def _diff(source: RubricVersion, draft_id: int) -> dict[str, Any]:
    draft = _fresh(RubricVersion.objects.get(pk=draft_id))
    return services.rubric_version_diff(old=_fresh(source), new=draft)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _to_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- Round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_an_export_imported_again_is_a_new_draft_with_an_empty_diff(world, hr, fmt):
    before = _snapshot(world.v1)
    draft_before = _snapshot(world.v2)
    exported = _export(hr, world.v1, fmt)

    response = _import(hr, world.ladder, f"engineering-ic-v1.{fmt}", exported)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["number"] == 3  # after v1 (published) and v2 (draft)
    assert body["change_summary"] == f"Imported from engineering-ic-v1.{fmt}."
    diff = _diff(world.v1, body["id"])
    assert diff["is_empty"], diff
    # The source (published) and the other draft are exactly as they were.
    assert _snapshot(world.v1) == before
    assert _snapshot(world.v2) == draft_before


def test_the_yaml_export_holds_the_whole_version(world, hr):
    response = hr.get(version_url(world.v1) + "export/?format=yaml")

    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="engineering-ic-v1.yaml"'
    text = response.content.decode()
    assert "ladder: engineering-ic\nnumber: 1\nstatus: published\n" in text
    assert "level_definitions:\n    L3: Below at start." in text
    assert "is_baseline: true" in text


def test_the_csv_export_has_one_row_per_level_and_competency(world, hr):
    response = hr.get(version_url(world.v1) + "export/?format=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="engineering-ic-v1.csv"'
    rows = _csv_rows(response.content.decode())
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["level_code"], r["competency_key"]) for r in rows] == [
        (lv, c) for lv in ("L3", "L4", "L5") for c in ("execution", "collaboration")
    ]
    assert rows[2] == {
        "level_code": "L4",
        "level_title": "Level L4",
        "level_order": "2",
        "competency_key": "execution",
        "competency_name": "Execution",
        "expectation": "At L4, execution looks like this.",
        "examples": "Evidence of execution at L4.",
        "level_summary": "Scope of L4.",
        "competency_description": "About execution.",
        "competency_order": "1",
    }
    assert AccessLog.objects.filter(action="rubric_csv", target_id=str(world.v1.pk)).exists()


FORMULAS = {
    ("L3", "execution"): ('=HYPERLINK("http://evil")', "+1 for shipping"),
    ("L4", "execution"): ("-- leads the design", "@here reviewers"),
    ("L5", "execution"): ("'=already quoted", "'plain quote stays"),
    ("L3", "collaboration"): ("''+two quotes", "=1+1"),
}


def _formula_draft(world) -> RubricVersion:
    data = contents()
    for e in data["expectations"]:
        if (e["level"], e["competency"]) in FORMULAS:
            e["text"], e["examples"] = FORMULAS[(e["level"], e["competency"])]
    return services.rubric_version_create(actor=world.hr.user, ladder=world.ladder, **data)


def test_formula_looking_cells_are_quoted_on_export_and_come_back_exactly(world, hr):
    source = _formula_draft(world)

    text = _export(hr, source, "csv").decode()

    by_cell = {(r["level_code"], r["competency_key"]): r for r in _csv_rows(text)}
    assert by_cell[("L3", "execution")]["expectation"] == '\'=HYPERLINK("http://evil")'
    assert by_cell[("L3", "execution")]["examples"] == "'+1 for shipping"
    assert by_cell[("L4", "execution")]["examples"] == "'@here reviewers"
    assert by_cell[("L5", "execution")]["expectation"] == "''=already quoted"
    assert by_cell[("L5", "execution")]["examples"] == "'plain quote stays"  # not a formula
    assert by_cell[("L3", "collaboration")]["expectation"] == "'''+two quotes"

    response = _import(hr, world.ladder, "formulas.csv", text)

    assert response.status_code == 201, response.content
    assert _diff(source, response.json()["id"])["is_empty"]
    cells = {(e["level"], e["competency"]): e for e in response.json()["expectations"]}
    for cell, (expectation, examples) in FORMULAS.items():
        assert (cells[cell]["text"], cells[cell]["examples"]) == (expectation, examples)


def test_a_csv_from_a_spreadsheet_without_the_optional_columns_imports(world, hr):
    rows = _csv_rows(_export(hr, world.v1, "csv").decode())
    required = list(CSV_COLUMNS[:7])
    text = _to_csv([{c: r[c] for c in required} for r in rows], required)

    response = _import(hr, world.ladder, "from-a-sheet.CSV", text)

    assert response.status_code == 201, response.content
    body = response.json()
    assert [c["key"] for c in body["competencies"]] == ["execution", "collaboration"]
    assert [c["order"] for c in body["competencies"]] == [0, 1]  # the order of the rows
    assert body["levels"][0]["summary"] == ""
    # Ratings come from the latest published version (v1), with its per-level definitions.
    assert body["ratings"] == version_as_data(_fresh(world.v1))["ratings"]


def test_a_csv_keeps_the_published_ratings_without_definitions_of_dropped_levels(world, hr):
    rows = [r for r in _csv_rows(_export(hr, world.v1, "csv").decode()) if r["level_code"] != "L3"]

    response = _import(hr, world.ladder, "no-l3.csv", _to_csv(rows))

    assert response.status_code == 201, response.content
    below = next(r for r in response.json()["ratings"] if r["key"] == "below")
    assert below["level_definitions"] == {}  # v1 defined "below" at L3 only


def test_a_csv_into_a_ladder_with_nothing_published_makes_a_draft_without_ratings(world, hr):
    manager_ladder, _draft = make_ladder(
        world.root, slug="engineering-manager", name="Engineering Manager", publish=False
    )
    text = _export(hr, world.v1, "csv")

    response = _import(hr, manager_ladder, "ic.csv", text)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ladder"] == manager_ladder.pk and body["number"] == 2
    assert body["ratings"] == []
    draft = _fresh(RubricVersion.objects.get(pk=body["id"]))
    assert "The rating scale needs at least two ratings." in services.publish_problems(draft)


def test_a_yaml_export_of_one_ladder_imports_into_another(world, hr):
    other, _v = make_ladder(world.root, slug="sre", name="SRE", publish=False)

    response = _import(hr, other, "ic.yml", _export(hr, world.v1, "yaml"))

    assert response.status_code == 201, response.content
    assert response.json()["ladder"] == other.pk
    assert _diff(world.v1, response.json()["id"])["is_empty"]


# --- Bad files ---------------------------------------------------------------------------


def _refused(hr, world, name: str, content: bytes | str) -> dict[str, Any]:
    before = row_counts()
    response = _import(hr, world.ladder, name, content)
    assert response.status_code == 400, response.content
    assert row_counts() == before
    return response.json()


def _v1_csv(hr, world) -> list[dict[str, str]]:
    return _csv_rows(_export(hr, world.v1, "csv").decode())


def _v1_yaml(hr, world) -> str:
    return _export(hr, world.v1, "yaml").decode()


def _line_of(text: str, needle: str, after: str = "") -> int:
    """The line (from 1) on which ``needle`` first appears after ``after``."""
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(needle, start)) + 1


def test_a_file_that_is_not_utf8_names_the_line_and_column(world, hr):
    text = _to_csv(_v1_csv(hr, world)).encode()
    lines = text.split(b"\n")
    assert lines[3].startswith(b"L4,Level L4,")
    lines[3] = lines[3].replace(b"Level L4", b"Level L\xe94", 1)  # Latin-1 é
    body = _refused(hr, world, "latin1.csv", b"\n".join(lines))

    assert body == {
        "rows": {"4": {"column 11": ["This is not UTF-8 text; save the file as UTF-8."]}}
    }


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("blank.yaml", b"  \n\n", "The file is empty."),
        ("comments.yaml", b"# nothing here\n", "The file holds no rubric"),
        ("rubric.txt", b"levels: []\n", "Upload a YAML file (.yaml or .yml) or a CSV file"),
        ("big.csv", b"x" * (2 * 1024 * 1024 + 1), "The file is larger than 2 MB."),
    ],
)
def test_a_file_that_is_no_rubric_at_all_is_refused(world, hr, name, content, says):
    body = _refused(hr, world, name, content)

    assert list(body) == ["file"]
    assert says in body["file"][0]


def test_unknown_and_missing_csv_columns_are_named_on_line_1(world, hr):
    rows = _v1_csv(hr, world)
    for r in rows:
        r["colour"] = "blue"
        del r["examples"]
    body = _refused(hr, world, "cols.csv", _to_csv(rows))

    assert body["rows"] == {
        "1": {"colour": ["Unknown column."], "examples": ["This column is missing."]}
    }
    assert "The columns are level_code, level_title" in body["file"][0]


def test_a_repeated_level_and_competency_names_both_lines(world, hr):
    rows = _v1_csv(hr, world)
    rows.append(dict(rows[2], expectation="Another L4 execution"))
    body = _refused(hr, world, "dupe.csv", _to_csv(rows))

    assert body == {
        "rows": {
            "8": {
                "competency_key": [
                    "L4 × execution is already on line 4; give each level × competency one row."
                ]
            }
        }
    }


@pytest.mark.parametrize("order", ["two", "2.5", "-1", ""])
def test_a_level_order_that_is_not_a_whole_number_is_refused(world, hr, order):
    rows = _v1_csv(hr, world)
    rows[3]["level_order"] = order
    body = _refused(hr, world, "order.csv", _to_csv(rows))

    assert body == {"rows": {"5": {"level_order": ["Enter a whole number (0, 1, 2, …)."]}}}


def test_rows_of_one_level_must_agree_on_its_title(world, hr):
    rows = _v1_csv(hr, world)
    rows[1]["level_title"] = "Junior"
    body = _refused(hr, world, "title.csv", _to_csv(rows))

    assert body["rows"] == {
        "3": {
            "level_title": [
                "Level 'L3' has 'Level L3' here on line 2; every row of it must say the same."
            ]
        }
    }


def test_a_csv_cell_the_api_would_refuse_names_its_line_and_column(world, hr):
    rows = _v1_csv(hr, world)
    rows[4]["level_title"] = rows[5]["level_title"] = "x" * 121
    rows[5]["competency_key"] = "not a slug!"
    body = _refused(hr, world, "long.csv", _to_csv(rows))

    assert body["rows"]["6"]["level_title"] == [
        "Ensure this field has no more than 120 characters."
    ]
    assert "7" in body["rows"] and list(body["rows"]["7"]) == ["competency_key"]


def test_examples_without_an_expectation_are_refused(world, hr):
    rows = _v1_csv(hr, world)
    rows[0]["expectation"] = ""
    body = _refused(hr, world, "cell.csv", _to_csv(rows))

    assert body == {"rows": {"2": {"expectation": ["This row has examples but no expectation."]}}}


def test_a_row_longer_than_the_header_is_refused(world, hr):
    text = _to_csv(_v1_csv(hr, world)).replace("Evidence of execution at L3.", "E,extra", 1)
    body = _refused(hr, world, "wide.csv", text)

    assert body == {
        "rows": {"2": {"column 11": ["This row has more cells than the header has columns."]}}
    }


def test_null_characters_are_refused_where_they_are(world, hr):
    text = _v1_yaml(hr, world).replace("title: Level L4", "title: Level\x00L4")
    body = _refused(hr, world, "nul.yaml", text)

    line = _line_of(text, "title: Level\x00L4")
    column = text.splitlines()[line - 1].index("\x00") + 1
    assert column == 15  # "  title: Level" comes first
    assert body == {"rows": {str(line): {f"column {column}": ["Null characters are not allowed."]}}}


def test_a_yaml_syntax_error_names_the_parsers_line_and_column(world, hr):
    text = _v1_yaml(hr, world).replace("  title: Level L4", "  title: [Level L4")
    body = _refused(hr, world, "broken.yaml", text)

    (line,) = body["rows"]
    (column,) = body["rows"][line]
    assert int(line) >= _line_of(text, "[Level L4")
    assert column.startswith("column ")
    assert body["rows"][line][column][0].startswith("Not valid YAML: ")


def test_yaml_that_is_not_a_mapping_is_refused(world, hr):
    body = _refused(hr, world, "list.yaml", "- levels\n- competencies\n")

    assert body == {
        "rows": {
            "1": {
                "document": [
                    "The file must be a mapping with the keys levels, competencies, "
                    "expectations and ratings."
                ]
            }
        }
    }


def test_a_missing_yaml_key_and_an_unknown_one_are_named(world, hr):
    text = _v1_yaml(hr, world).replace("competencies:", "competences:", 1)
    body = _refused(hr, world, "keys.yaml", text)

    line = _line_of(text, "competences:")
    assert body["rows"]["1"] == {"competencies": ["This key is missing."]}
    assert list(body["rows"][str(line)]) == ["competences"]


def test_a_yaml_value_the_api_would_refuse_names_its_line_and_path(world, hr):
    text = _v1_yaml(hr, world)
    text = text.replace("  title: Level L4\n", "", 1).replace("order: 3", "order: three", 1)
    body = _refused(hr, world, "values.yaml", text)

    assert body["rows"][str(_line_of(text, "- code: L4"))] == {
        "levels[1].title": ["This field is required."]
    }
    assert body["rows"][str(_line_of(text, "three"))] == {
        "levels[2].order": ["A valid integer is required."]
    }


def test_an_unknown_field_of_a_yaml_item_is_named(world, hr):
    text = _v1_yaml(hr, world).replace("  summary: Scope of L5.", "  sumary: Scope of L5.")
    body = _refused(hr, world, "typo.yaml", text)

    assert list(body["rows"][str(_line_of(text, "sumary"))]) == ["levels[2].sumary"]


def test_what_validate_contents_refuses_is_passed_through(world, hr):
    text = _v1_yaml(hr, world).replace("code: L5", "code: L4", 1)
    body = _refused(hr, world, "dupe.yaml", text)

    assert body["levels"] == ["Level codes must be unique: L4."]


def test_deeply_nested_yaml_answers_400(world, hr):
    body = _refused(hr, world, "deep.yaml", "levels: " + "[" * 50_000)

    assert list(body) in (["file"], ["rows"])


def test_a_yaml_date_that_is_no_date_answers_400(world, hr):
    text = _v1_yaml(hr, world).replace("title: Level L4", "title: 2024-13-45")
    body = _refused(hr, world, "date.yaml", text)

    assert "could not be read as YAML" in body["file"][0]


def test_the_import_needs_a_file_and_a_ladder(world, hr):
    before = row_counts()
    response = hr.post(IMPORT_URL, {"ladder": "999999"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) == {"file", "ladder"}
    assert row_counts() == before


# --- Who may export and import -----------------------------------------------------------


def test_an_engineer_exports_the_published_version_but_not_the_draft(world, api_for):
    engineer = api_for("engineer")

    assert engineer.get(version_url(world.v1) + "export/?format=csv").status_code == 200
    response = engineer.get(version_url(world.v2) + "export/?format=yaml")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("query", ["", "?format=json", "?format=xlsx"])
def test_an_export_without_yaml_or_csv_answers_400(world, hr, query):
    response = hr.get(version_url(world.v1) + "export/" + query)

    assert response.status_code == 400
    assert response.json() == {"format": ["Choose format=yaml or format=csv."]}


def test_anonymous_export_and_import_answer_401(world, api_for):
    anonymous = api_for("anonymous")

    assert anonymous.get(version_url(world.v1) + "export/?format=yaml").status_code == 401
    before = row_counts()
    assert _import(anonymous, world.ladder, "v1.yaml", "levels: []").status_code == 401
    assert row_counts() == before


@pytest.mark.parametrize("role", ["engineer", "manager", "committee"])
def test_only_hr_imports(world, hr, api_for, role):
    text = _export(hr, world.v1, "yaml")
    before = row_counts()

    response = _import(api_for(role), world.ladder, "v1.yaml", text)

    assert response.status_code == 403
    assert row_counts() == before


# --- Pages -------------------------------------------------------------------------------


def test_the_history_page_offers_downloads_and_hr_an_import_form(world, client_for):
    html = client_for("hr").get(HISTORY).content.decode()

    assert 'href="/rubrics/engineering-ic/v1/rubric.yaml"' in html
    assert 'href="/rubrics/engineering-ic/v2/rubric.csv"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="import-file">Rubric file</label>' in html
    engineer_html = client_for("engineer").get(HISTORY).content.decode()
    assert 'href="/rubrics/engineering-ic/v1/rubric.csv"' in engineer_html
    assert "rubric.yaml" in engineer_html and "/v2/" not in engineer_html
    assert 'action="/rubrics/engineering-ic/import/"' not in engineer_html


def test_hr_imports_a_download_on_the_history_page(world, client_for):
    hr = client_for("hr")
    download = hr.get("/rubrics/engineering-ic/v1/rubric.yaml")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="engineering-ic-v1.yaml"'
    before = _snapshot(world.v1)

    response = hr.post(
        PAGE_IMPORT, {"file": SimpleUploadedFile("engineering-ic-v1.yaml", download.content)}
    )

    assert response.status_code == 302
    assert response["Location"] == "/rubrics/engineering-ic/v3/"
    page = hr.get(response["Location"])
    assert "imported as draft version 3" in page.content.decode()
    draft = RubricVersion.objects.get(ladder=world.ladder, number=3)
    assert draft.status == "draft"
    assert _diff(world.v1, draft.pk)["is_empty"]
    assert _snapshot(world.v1) == before


def test_a_bad_file_on_the_page_shows_the_errors_beside_the_form(world, client_for):
    hr = client_for("hr")
    before = row_counts()

    response = hr.post(PAGE_IMPORT, {"file": SimpleUploadedFile("x.csv", b"level_code\nL3\n")})

    assert response.status_code == 400
    assert row_counts() == before
    html = response.content.decode()
    assert "The file was not imported" in html
    assert "Line 1, level_title: This column is missing." in html
    assert 'aria-invalid="true"' in html


def test_the_page_import_without_a_file_says_so(world, client_for):
    response = client_for("hr").post(PAGE_IMPORT, {})

    assert response.status_code == 400
    assert "Choose a YAML or CSV file to import." in response.content.decode()


@pytest.mark.parametrize("role", ["engineer", "manager", "no_person"])
def test_the_page_import_is_hidden_from_everyone_but_hr(world, client_for, hr, role):
    text = _export(hr, world.v1, "yaml")
    before = row_counts()

    response = client_for(role).post(PAGE_IMPORT, {"file": SimpleUploadedFile("v.yaml", text)})

    assert response.status_code == 404
    assert row_counts() == before


def test_an_engineer_cannot_download_a_draft_page_file(world, client_for):
    engineer = client_for("engineer")

    assert engineer.get("/rubrics/engineering-ic/v2/rubric.csv").status_code == 404
    assert engineer.get("/rubrics/engineering-ic/v1/rubric.csv").status_code == 200


def test_the_export_is_chosen_by_its_format_parameter_not_a_file_suffix(world, hr):
    response = hr.get(version_url(world.v1) + "export/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert hr.get(version_url(world.v1)[:-1] + "/export.csv").status_code == 404
