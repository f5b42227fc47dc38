"""People import (SPEC §10.4), from the user's side: the API and HR's page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from org.models import Activity, Person, User

URL = "/api/v1/people/import/"
PAGE = "/people/import/"
HEADER = "email,full_name,employee_id,team,manager,ladder,level,function,start_date,location,active"


def csv_file(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post(api: Any, upload: Any, dry_run: str | None = None) -> Any:
    data: dict[str, Any] = {"file": upload}
    if dry_run is not None:
        data["dry_run"] = dry_run
    return api.post(URL, data, format="multipart")


def state() -> list[tuple[Any, ...]]:
    """Everything an import can change, to prove a refused one changed nothing."""
    people = Person.objects.order_by("pk").values_list(
        "pk",
        "full_name",
        "email",
        "team_id",
        "parent_id",
        "ladder_id",
        "level",
        "function",
        "is_active",
        "employee_id",
        "start_date",
        "location",
    )
    users = User.objects.order_by("pk").values_list("pk", "username", "is_active")
    return [*people, *users, ("activity", Activity.objects.count())]


@pytest.fixture
def hr(api_for):
    return api_for("hr")


MIXED = (
    f"{HEADER}\n"
    # A report before their manager, who is new in the same file.
    "new.report@example.org,Nia Report,E900,team-a,new.boss@example.org,engineering-ic,L3,"
    "Backend,2025-02-03,Berlin,true\n"
    "new.boss@example.org,Nel Boss,E901,team-a,manager@example.org,,,Management,,,\n"
    "engineer@example.org,Erin Engineer,,team-b,othermanager@example.org,engineering-ic,L5,"
    "Backend,,Lisbon,true\n"
    "teammate@example.org,Toby Teammate,,team-a,manager@example.org,engineering-ic,L3,"
    "Frontend,,,false\n"
    "otherengineer@example.org,Olga Otherengineer,,team-b,othermanager@example.org,"
    "engineering-ic,L5,SRE,,,true\n"
)


def test_a_dry_run_previews_and_writes_nothing(world, hr):
    before = state()
    response = post(hr, csv_file(MIXED))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True
    assert (body["created"], body["updated"], body["deactivated"], body["unchanged"]) == (
        2,
        1,
        1,
        1,
    )
    assert state() == before
    by_email = {c["email"]: c for c in body["changes"]}
    assert by_email["engineer@example.org"] == {
        "line": 4,
        "email": "engineer@example.org",
        "action": "update",
        "fields": {
            "team": ["team-a", "team-b"],
            "manager": ["manager@example.org", "othermanager@example.org"],
            "level": ["L4", "L5"],
            "location": ["", "Lisbon"],
        },
    }
    assert by_email["teammate@example.org"]["action"] == "deactivate"
    assert by_email["teammate@example.org"]["fields"] == {"active": [True, False]}
    assert by_email["otherengineer@example.org"] == {
        "line": 6,
        "email": "otherengineer@example.org",
        "action": "unchanged",
        "fields": {},
    }
    new = by_email["new.report@example.org"]
    assert new["action"] == "create"
    assert new["fields"]["manager"] == [None, "new.boss@example.org"]
    assert new["fields"]["start_date"] == [None, "2025-02-03"]


def test_an_import_writes_and_the_same_file_again_changes_nothing(world, hr):
    response = post(hr, csv_file(MIXED), dry_run="false")
    assert response.status_code == 200, response.json()
    assert response.json()["dry_run"] is False
    report = Person.objects.get(email="new.report@example.org")
    boss = Person.objects.get(email="new.boss@example.org")
    assert report.parent == boss and boss.parent == world.manager
    assert report.user.username == "new.report" and not report.user.has_usable_password()
    assert report.team == world.team_a and report.level == "L3" and report.employee_id == "E900"
    assert str(report.start_date) == "2025-02-03" and report.location == "Berlin"
    world.engineer.refresh_from_db()
    assert world.engineer.team == world.team_b and world.engineer.level == "L5"
    assert world.engineer.parent == world.other_manager
    world.teammate.refresh_from_db()
    world.teammate.user.refresh_from_db()
    assert not world.teammate.is_active and not world.teammate.user.is_active
    # The trail: each person's own record, and one row for the import with its counts.
    assert report.history.count() == 1
    assert world.engineer.history.count() == 2
    logged = Activity.objects.get(action="people_imported")
    assert logged.actor == world.hr.user
    assert logged.new["created"] == 2 and logged.new["deactivated"] == 1
    assert Activity.objects.filter(action="person_created", target_id=str(report.pk)).exists()

    before = state()
    again = post(hr, csv_file(MIXED), dry_run="false").json()
    assert (again["created"], again["updated"], again["deactivated"]) == (0, 0, 0)
    assert again["unchanged"] == 5
    assert all(c["action"] == "unchanged" and c["fields"] == {} for c in again["changes"])
    assert state()[:-1] == before[:-1]  # only the import's own Activity row is new


def test_a_row_changes_only_the_columns_the_file_has(world, hr):
    text = "EMAIL,Location\nengineer@example.org,Remote (EU)\n"  # names in any case
    assert post(hr, csv_file(text), dry_run="false").status_code == 200
    world.engineer.refresh_from_db()
    assert world.engineer.location == "Remote (EU)"
    assert world.engineer.team == world.team_a and world.engineer.level == "L4"
    assert world.engineer.function == "Backend" and world.engineer.parent == world.manager


def test_an_empty_cell_clears_an_optional_field(world, hr):
    text = "email,function,manager,team\nengineer@example.org,,,\n"
    body = post(hr, csv_file(text), dry_run="false").json()
    assert body["changes"][0]["fields"] == {
        "team": ["team-a", None],
        "manager": ["manager@example.org", None],
        "function": ["Backend", ""],
    }
    world.engineer.refresh_from_db()
    assert world.engineer.team is None and world.engineer.parent is None


def test_teams_match_by_exact_name_too(world, hr):
    body = post(hr, csv_file("email,team\nengineer@example.org,Team B\n")).json()
    assert body["changes"][0]["fields"] == {"team": ["team-a", "team-b"]}


def test_csv_and_xlsx_give_the_same_result(world, hr):
    rows = [line.split(",") for line in MIXED.strip().split("\n")]
    from_csv = post(hr, csv_file(MIXED)).json()
    workbook = SimpleUploadedFile("people.xlsx", xlsx_bytes(rows))
    from_xlsx = post(hr, workbook).json()
    assert from_xlsx == from_csv


def test_xlsx_dates_numbers_and_booleans_read_as_their_text(world, hr):
    import datetime

    data = xlsx_bytes(
        [
            ["email", "employee_id", "start_date", "active"],
            ["engineer@example.org", 1042, datetime.datetime(2024, 5, 6), True],
        ]
    )
    response = post(hr, SimpleUploadedFile("p.xlsx", data), dry_run="false")
    assert response.status_code == 200, response.json()
    world.engineer.refresh_from_db()
    assert world.engineer.employee_id == "1042"
    assert str(world.engineer.start_date) == "2024-05-06"


def test_formula_looking_cells_are_stored_as_text(world, hr):
    name = '=HYPERLINK("http://evil.example","click")'
    text = (
        "email,full_name,function,location\n"
        f'new@example.org,"{name.replace(chr(34), chr(34) * 2)}",+cmd,@SUM(A1)\n'
        "engineer@example.org,Erin Engineer,-2+3,\n"
    )
    assert post(hr, csv_file(text), dry_run="false").status_code == 200
    new = Person.objects.get(email="new@example.org")
    assert (new.full_name, new.function, new.location) == (name, "+cmd", "@SUM(A1)")
    world.engineer.refresh_from_db()
    assert world.engineer.function == "-2+3"


def test_formula_cells_in_xlsx_keep_the_formula_text(world, hr):
    data = xlsx_bytes([["email", "full_name"], ["new@example.org", "=1+1"]])
    assert post(hr, SimpleUploadedFile("p.xlsx", data), dry_run="false").status_code == 200
    assert Person.objects.get(email="new@example.org").full_name == "=1+1"


def test_a_new_login_gets_a_free_username(world, hr):
    text = "email,full_name\nengineer@elsewhere.example,Other Erin\nengineer@third.example,E3\n"
    post(hr, csv_file(text), dry_run="false")
    assert Person.objects.get(email="engineer@elsewhere.example").user.username == "engineer-2"
    assert Person.objects.get(email="engineer@third.example").user.username == "engineer-3"


def refused(api: Any, text: str | bytes, name: str = "people.csv") -> dict[str, Any]:
    before = state()
    data = text.encode("utf-8") if isinstance(text, str) else text
    response = post(api, SimpleUploadedFile(name, data), dry_run="false")
    assert response.status_code == 400, response.content
    assert state() == before
    return response.json()


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            "email,full_name,gender\nengineer@example.org,E,woman\n",
            {
                "1": {
                    "gender": [
                        "Unknown column 'gender': the columns are "
                        + HEADER.replace(",", ", ")
                        + "."
                    ]
                }
            },
        ),
        (
            "full_name\nSomeone\n",
            {"1": {"email": ["The header needs an 'email' column: it says who each row is."]}},
        ),
        (
            "email,team\nengineer@example.org,no-such-team\n",
            {"2": {"team": ["No team has the slug or name 'no-such-team'."]}},
        ),
        (
            "email,ladder\nengineer@example.org,nope\n",
            {"2": {"ladder": ["No ladder has the slug 'nope'."]}},
        ),
        (
            "email,level\nengineer@example.org,L9\n",
            {"2": {"level": ["'L9' is not a level of Engineering IC: choose one of L3, L4, L5."]}},
        ),
        (
            "email,full_name\nnew@example.org,A\nengineer@example.org,B\nNEW@example.org,C\n",
            {"4": {"email": ["This email is also on line 2."]}},
        ),
        (
            "email,full_name\nnot-an-email,A\n",
            {"2": {"email": ["'not-an-email' is not an email address."]}},
        ),
        (
            "email,start_date\nengineer@example.org,03/04/2025\n",
            {"2": {"start_date": ["'03/04/2025' is not a date as YYYY-MM-DD."]}},
        ),
        (
            "email,start_date\nengineer@example.org,2025-02-30\n",
            {"2": {"start_date": ["'2025-02-30' is not a date as YYYY-MM-DD."]}},
        ),
        (
            "email,active\nengineer@example.org,maybe\n",
            {"2": {"active": ["'maybe' is not true or false."]}},
        ),
        (
            "email,full_name\nengineer@example.org,\n",
            {"2": {"full_name": ["A full name cannot be blank."]}},
        ),
        (
            "email,team\nnew@example.org,team-a\n",
            {"2": {"full_name": ["A new person needs a full name."]}},
        ),
        (
            "email,manager\nengineer@example.org,ghost@example.org\n",
            {
                "2": {
                    "manager": [
                        "No one has the email 'ghost@example.org', in Levelhead or in this file."
                    ]
                }
            },
        ),
        (
            "email,manager\nengineer@example.org,engineer@example.org\n",
            {"2": {"manager": ["A person cannot be their own manager."]}},
        ),
        (
            "email,employee_id\nengineer@example.org,E1\nteammate@example.org,E1\n",
            {"3": {"employee_id": ["Another person has this employee id."]}},
        ),
        (
            "email,full_name\nengineer@example.org,Erin\x07\n",
            {
                "2": {
                    "full_name": [
                        "Remove the control characters (line breaks included) from this text."
                    ]
                }
            },
        ),
        (
            "email,full_name\nengineer@example.org," + "x" * 201 + "\n",
            {"2": {"full_name": ["At most 200 characters."]}},
        ),
        (
            "email,email\nengineer@example.org,x@example.org\n",
            {"1": {"email": ["The column 'email' appears twice."]}},
        ),
        (
            "email\nengineer@example.org,extra\n",
            {"2": {"column 2": ["This cell has no column header."]}},
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file(world, hr, text, errors):
    assert refused(hr, text) == {"rows": errors}


def test_every_bad_row_is_reported_at_once(world, hr):
    text = "email,team,level\nengineer@example.org,nope,L4\nnew@example.org,,\nbad,,\n"
    body = refused(hr, text)
    assert set(body["rows"]) == {"2", "3", "4"}


def test_a_good_row_next_to_a_bad_one_is_not_written(world, hr):
    refused(hr, "email,location\nengineer@example.org,Oslo\nteammate@example.org,\x00\n")
    world.engineer.refresh_from_db()
    assert world.engineer.location == ""


def test_a_manager_loop_within_the_file_is_refused(world, hr):
    text = (
        "email,full_name,manager\n"
        "a@example.org,A,b@example.org\n"
        "b@example.org,B,c@example.org\n"
        "c@example.org,C,a@example.org\n"
    )
    body = refused(hr, text)
    assert body == {
        "rows": {"4": {"manager": ["This manager would make the reporting chain loop."]}}
    }


def test_a_manager_loop_through_existing_people_is_refused(world, hr):
    # director → manager → engineer today; making the director report to the engineer loops.
    body = refused(hr, "email,manager\ndirector@example.org,engineer@example.org\n")
    assert body == {
        "rows": {"2": {"manager": ["This manager would make the reporting chain loop."]}}
    }


def test_turning_a_chain_around_in_one_file_is_not_a_loop(world, hr):
    # Today the manager manages the engineer; afterwards the engineer manages the manager.
    text = (
        "email,manager\n"
        "manager@example.org,engineer@example.org\n"
        "engineer@example.org,director@example.org\n"
    )
    response = post(hr, csv_file(text), dry_run="false")
    assert response.status_code == 200, response.json()
    world.manager.refresh_from_db()
    assert world.manager.parent == world.engineer


def test_an_inactive_manager_is_refused(world, hr):
    text = "email,active\nmanager@example.org,false\n"
    assert post(hr, csv_file(text), dry_run="false").status_code == 200
    body = refused(hr, "email,manager\nteammate@example.org,manager@example.org\n")
    assert body == {"rows": {"2": {"manager": ["manager@example.org is not active."]}}}


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "people.csv", "The submitted file is empty."),  # DRF's own words
        (b"\n\n", "people.csv", "The file is empty."),
        (
            b"email\n\xff\xfe\x00bad",
            "people.csv",
            "The file is not UTF-8 text: save the CSV as UTF-8.",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "people.xlsx",
            "The file is not a readable XLSX workbook.",
        ),
        (
            bytes(range(256)) * 40,
            "random.bin",
            "The file is not UTF-8 text: save the CSV as UTF-8.",
        ),
        (
            b"email\nengineer@example.org\x00\n",
            "people.csv",
            "The file holds NUL characters: it is not a CSV file.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(world, hr, data, name, message):
    assert refused(hr, data, name) == {"file": [message]}


def test_a_spreadsheet_that_is_not_a_people_sheet_is_refused(world, hr):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    body = refused(hr, out.getvalue(), "people.xlsx")
    assert body == {"file": ["The file is not a readable XLSX workbook."]}


def test_a_file_over_5_mb_is_refused(world, hr):
    text = "email,location\n" + ("engineer@example.org," + "x" * 100 + "\n") * 52_000
    assert len(text) > 5 * 1024 * 1024
    assert refused(hr, text) == {"file": ["The file is larger than 5 MB."]}


def test_more_than_20000_rows_is_refused(world, hr):
    text = "email\n" + "".join(f"p{i}@x.io\n" for i in range(20_001))
    assert refused(hr, text) == {"file": ["The file has more than 20,000 rows of people."]}


def test_a_huge_cell_is_refused_not_a_crash(world, hr):
    text = 'email,full_name\nengineer@example.org,"' + "x" * 200_000 + '"\n'
    body = refused(hr, text)
    assert list(body["rows"]["2"]) in (["file"], ["full_name"])


def test_a_request_without_a_file_is_refused(world, hr):
    response = hr.post(URL, {"dry_run": "false"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    response = hr.post(URL, {"file": "just text"}, format="json")
    assert response.status_code == 400 and "file" in response.json()
    response = hr.post(URL, b"email\nx@example.org\n", content_type="text/csv")
    assert response.status_code == 415  # a body that is not a form at all


def test_only_hr_imports(world, api_for):
    for role in ("engineer", "manager", "director"):
        response = post(api_for(role), csv_file("email,location\nengineer@example.org,X\n"))
        assert response.status_code == 403
    assert post(api_for("anonymous"), csv_file("email\n")).status_code == 401


def test_deactivating_through_an_import_ends_their_sessions(world, hr):
    theirs = Client()
    theirs.force_login(world.engineer.user)
    from org.access import sign_in_record

    class _Request:
        session = theirs.session

    sign_in_record(None, _Request(), world.engineer.user)
    assert theirs.get("/me/").status_code == 200
    response = post(hr, csv_file("email,active\nengineer@example.org,FALSE\n"), dry_run="false")
    assert response.json()["deactivated"] == 1
    assert theirs.get("/me/").status_code == 302


def rows_csv(n: int, start: int = 0) -> str:
    lines = [f"{HEADER}"]
    for i in range(start, start + n):
        lines.append(
            f"p{i}@example.org,Person {i},X{i},team-a,manager@example.org,engineering-ic,L4,"
            f"Backend,2024-01-0{1 + i % 9},Berlin,true"
        )
    return "\n".join(lines) + "\n"


def count_queries(api: Any, text: str, dry_run: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = post(api, csv_file(text), dry_run=dry_run)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


def test_a_dry_run_costs_the_same_queries_for_10_and_100_rows(world, hr):
    count_queries(hr, rows_csv(1, start=5000), "true")  # the caller's role, looked up once
    assert count_queries(hr, rows_csv(10), "true") == count_queries(hr, rows_csv(100), "true")


def test_creating_people_costs_the_same_queries_for_10_and_100_rows(world, hr):
    count_queries(hr, rows_csv(1, start=5000), "false")  # the caller's role, looked up once
    small = count_queries(hr, rows_csv(10), "false")
    large = count_queries(hr, rows_csv(100, start=1000), "false")
    # Bulk inserts: more rows only add a batch now and then (SQLite takes 999 parameters a
    # statement, about 70 people), never a query per person.
    assert large - small <= 90 // 20, (small, large)


def test_updating_people_costs_the_same_queries_for_10_and_100_rows(world, hr):
    post(hr, csv_file(rows_csv(110)), dry_run="false")
    lines = rows_csv(110).replace("Berlin", "Oslo").split("\n")
    ten = count_queries(hr, "\n".join(lines[:11]) + "\n", "false")
    hundred = count_queries(hr, "\n".join([lines[0], *lines[11:111]]) + "\n", "false")
    assert hundred - ten <= 90 // 20, (ten, hundred)  # a batch now and then, as creating


def test_two_people_can_exchange_employee_ids(world, hr):
    post(hr, csv_file("email,employee_id\nengineer@example.org,A1\nteammate@example.org,B2\n"))
    post(
        hr,
        csv_file("email,employee_id\nengineer@example.org,A1\nteammate@example.org,B2\n"),
        dry_run="false",
    )
    swap = "email,employee_id\nengineer@example.org,B2\nteammate@example.org,A1\n"
    response = post(hr, csv_file(swap), dry_run="false")
    assert response.status_code == 200, response.json()
    world.engineer.refresh_from_db()
    world.teammate.refresh_from_db()
    assert (world.engineer.employee_id, world.teammate.employee_id) == ("B2", "A1")


# --- The page ------------------------------------------------------------------------------


def test_the_page_previews_then_imports_on_confirm(world, client_for):
    client = client_for("hr")
    assert client.get(PAGE).status_code == 200
    before = state()
    preview = client.post(PAGE, {"file": csv_file(MIXED)})
    assert preview.status_code == 200
    assert b"Confirm and import" in preview.content and b"new.report@example.org" in preview.content
    assert state() == before
    confirm = preview.context["confirm"]
    done = client.post(PAGE, {"confirm": confirm})
    assert done.status_code == 200
    assert done.context["result"]["created"] == 2 and not done.context["result"]["dry_run"]
    assert Person.objects.filter(email="new.boss@example.org").exists()
    assert b"then invite them" in done.content
    # The file waits once: confirming again finds nothing to import.
    assert client.post(PAGE, {"confirm": confirm}).status_code == 400


def test_the_page_shows_errors_with_their_line_and_column(world, client_for):
    client = client_for("hr")
    response = client.post(PAGE, {"file": csv_file("email,team\nengineer@example.org,nope\n")})
    assert response.status_code == 400
    assert response.context["errors"] == [("2", "team", "No team has the slug or name 'nope'.")]
    assert b"No team has the slug or name" in response.content


def test_the_page_refuses_a_missing_file_and_a_stale_confirm(world, client_for):
    client = client_for("hr")
    assert client.post(PAGE, {}).status_code == 400
    assert client.post(PAGE, {"confirm": "0" * 64}).status_code == 400


def test_the_page_is_hidden_from_everyone_but_hr(world, client_for):
    for role in ("engineer", "manager", "director"):
        assert client_for(role).get(PAGE).status_code == 404
    assert client_for("anonymous").get(PAGE).status_code == 302


# --- The sample files ---------------------------------------------------------------------


def test_the_example_file_imports_with_a_manager_after_their_reports(world, hr):
    from pathlib import Path

    from tests.factories import make_ladder

    make_ladder(
        world.root, slug="engineering-manager", name="Engineering Manager", level_codes=["M1", "M2"]
    )
    data = Path("examples/people.csv").read_bytes()
    response = post(hr, SimpleUploadedFile("people.csv", data), dry_run="false")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 3
    grace = Person.objects.get(email="grace.hopper@example.org")
    assert Person.objects.get(email="ada.lovelace@example.org").parent == grace


def test_the_demo_update_file_previews_on_the_demo_org(db):
    from pathlib import Path

    from tests.factories import seed_demo

    seed_demo(stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(username="hana"))
    data = Path("demo/demo_data/people_update.csv").read_bytes()
    response = client.post(PAGE, {"file": SimpleUploadedFile("people_update.csv", data)})
    assert response.status_code == 200, response.context.get("errors")
    result = response.context["result"]
    assert (result["created"], result["updated"], result["deactivated"], result["unchanged"]) == (
        1,
        3,
        1,
        1,
    )
