"""Role-test rows (imported by tests/test_routes.py): signing in and out, the home page,
about me, the API documentation and token, teams, people and demographics."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.route_cases import ANON_API, ANON_HTML, NO_ARGS, Case, everyone, hr_only, roles

ROUTES: list[Case] = [
    # --- HTML pages ------------------------------------------------------------------
    Case("home", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case("login", "get", NO_ARGS, everyone(302, 200), note="signed-in users move on"),
    Case(
        "login",
        "post",
        NO_ARGS,
        everyone(302, 302),
        data=lambda w: {"username": "engineer", "password": "pw-for-tests"},
        note="anonymous signs in; signed-in users move on",
    ),
    Case("logout", "post", NO_ARGS, everyone(302, ANON_HTML)),
    Case("about-me", "get", NO_ARGS, everyone(200, ANON_HTML)),
    # Saves one's own answers; without a person record there is nothing to save.
    Case(
        "about-me",
        "post",
        NO_ARGS,
        roles(302, ANON_HTML, superuser=200, no_person=200),
        data=lambda w: {"gender": "woman"},
    ),
    # --- Local accounts: invitations, reset, change (org/account_views.py) ----------------
    Case("invitations", "get", NO_ARGS, hr_only(200, 404, ANON_HTML)),
    Case(
        "invitations",
        "post",
        NO_ARGS,
        hr_only(302, 404, ANON_HTML),
        data=lambda w: {"all": "1"},
        note="everyone not signed in yet",
    ),
    Case(
        "invitation-accept",
        "get",
        lambda w: ["MQ", "not-a-token"],
        everyone(400, 400),
        note="a link that is not valid says so",
    ),
    Case(
        "invitation-accept",
        "post",
        lambda w: ["MQ", "not-a-token"],
        everyone(400, 400),
        data=lambda w: {
            "new_password1": "a-long-new-password",
            "new_password2": "a-long-new-password",
        },
    ),
    Case("password-reset", "get", NO_ARGS, everyone(200, 200)),
    Case(
        "password-reset",
        "post",
        NO_ARGS,
        everyone(302, 302),
        data=lambda w: {"email": "nobody@example.org"},
        note="the same answer whether or not the address exists",
    ),
    Case("password-reset-sent", "get", NO_ARGS, everyone(200, 200)),
    Case(
        "password-reset-confirm",
        "get",
        lambda w: ["MQ", "not-a-token"],
        everyone(400, 400),
    ),
    Case(
        "password-reset-confirm",
        "post",
        lambda w: ["MQ", "not-a-token"],
        everyone(400, 400),
        data=lambda w: {
            "new_password1": "a-long-new-password",
            "new_password2": "a-long-new-password",
        },
    ),
    Case("password-change", "get", NO_ARGS, everyone(200, ANON_HTML)),
    Case(
        "password-change",
        "post",
        NO_ARGS,
        everyone(400, ANON_HTML),
        data=lambda w: {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    ),
    Case(
        "api:person-invite",
        "post",
        lambda w: [w.calib.review.subject_id],
        roles(403, ANON_API, hr=409, superuser=409, no_person=404),
        api=True,
        note="the engineer has a password already",
    ),
    # --- Company sign-in (org/oidc.py): off in these tests (no OIDC_ISSUER) -------------
    Case(
        "oidc_authentication_init",
        "get",
        NO_ARGS,
        everyone(404, 404),
        note="company sign-in not set up (tests/test_company_sign_in.py runs it)",
    ),
    Case("oidc_authentication_callback", "get", NO_ARGS, everyone(404, 404)),
    Case("company-sign-in-refused", "get", NO_ARGS, everyone(403, 403)),
    # --- API documentation -------------------------------------------------------------
    Case("api-schema", "get", NO_ARGS, everyone(200, 200), api=True),
    Case("api-docs", "get", NO_ARGS, everyone(200, 200), api=True),
    Case(
        "api-token",
        "post",
        NO_ARGS,
        everyone(200, 200),
        api=True,
        data=lambda w: {"username": "engineer", "password": "pw-for-tests"},
    ),
    Case("api:api-root", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case("api:me", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    # --- Teams ---------------------------------------------------------------------------
    Case("api:team-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:team-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "New team", "slug": "new-team", "parent": w.eng.pk},
    ),
    Case("api:team-detail", "get", lambda w: [w.team_b.pk], everyone(200, ANON_API), api=True),
    Case(
        "api:team-detail",
        "patch",
        lambda w: [w.team_b.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Team Bee"},
    ),
    Case(
        "api:team-detail",
        "put",
        lambda w: [w.team_b.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"name": "Team Bee", "slug": "team-bee"},
    ),
    # --- People --------------------------------------------------------------------------
    Case("api:person-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:person-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "username": "newbie",
            "full_name": "New Person",
            "team": w.team_a.pk,
            "manager": w.manager.pk,
        },
    ),
    Case(
        "api:person-detail",
        "get",
        lambda w: [w.calib.review.subject_id],
        roles(200, ANON_API, no_person=404),
        api=True,
        note="the engineer: everyone with a relation to them sees them",
    ),
    Case(
        "api:person-detail",
        "get",
        lambda w: [w.director.pk],
        roles(404, ANON_API, director=200, hr=200, superuser=200),
        api=True,
        note="above everyone",
    ),
    Case(
        "api:person-detail",
        "patch",
        lambda w: [w.calib.review.subject_id],
        roles(403, ANON_API, hr=200, superuser=200, no_person=404),
        api=True,
        data=lambda w: {"function": "Platform"},
    ),
    Case(
        "api:person-detail",
        "put",
        lambda w: [w.director.pk],
        roles(404, ANON_API, director=403, hr=200, superuser=200),
        api=True,
        data=lambda w: {"username": "director", "full_name": "Dana D.", "team": w.eng.pk},
    ),
    Case(
        "api:person-demographics",
        "get",
        lambda w: [w.engineer.pk],
        roles(404, ANON_API, engineer=200, hr=200, superuser=200),
        api=True,
    ),
    Case(
        "api:person-demographics",
        "put",
        lambda w: [w.engineer.pk],
        roles(404, ANON_API, engineer=200, hr=200, superuser=200),
        api=True,
        data=lambda w: {"attributes": {}},
    ),
    # --- Demographic dimensions ----------------------------------------------------------
    Case("api:demographic-dimension-list", "get", NO_ARGS, everyone(200, ANON_API), api=True),
    Case(
        "api:demographic-dimension-list",
        "post",
        NO_ARGS,
        hr_only(201, 403, ANON_API),
        api=True,
        data=lambda w: {
            "key": "age_band",
            "label": "Age band",
            "values": ["under 30", "30 and over"],
        },
    ),
    Case(
        "api:demographic-dimension-detail",
        "get",
        lambda w: [w.dimension.pk],
        everyone(200, ANON_API),
        api=True,
    ),
    Case(
        "api:demographic-dimension-detail",
        "patch",
        lambda w: [w.dimension.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"label": "Gender identity"},
    ),
    Case(
        "api:demographic-dimension-detail",
        "put",
        lambda w: [w.dimension.pk],
        hr_only(200, 403, ANON_API),
        api=True,
        data=lambda w: {"key": "gender", "label": "Gender", "values": ["woman", "man"]},
    ),
    # --- People import (org/people_import/): the API and HR's page ----------------------
    Case(
        "api:person-import",
        "post",
        NO_ARGS,
        hr_only(400, 403, ANON_API),
        api=True,
        note="no file attached: 400",
    ),
    Case(
        "api:person-import",
        "get",
        NO_ARGS,
        hr_only(405, 403, ANON_API),
        api=True,
        note="refused before the method is looked at",
    ),
    Case("people-import", "get", NO_ARGS, hr_only(200, 404, ANON_HTML)),
    Case(
        "people-import",
        "post",
        NO_ARGS,
        hr_only(200, 404, ANON_HTML),
        data=lambda w: {
            "file": SimpleUploadedFile(
                "people.csv", b"email,location\nengineer@example.org,Oslo\n", "text/csv"
            )
        },
        note="a dry-run preview",
    ),
]
