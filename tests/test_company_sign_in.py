"""Company sign-in with OpenID Connect (SPEC §10.1), against a real OpenID provider
process on loopback (oidc-provider-mock, started here): the authorization-code flow with
PKCE, state and nonce, the ID token verified against the provider's JWKS."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import jwt
import pytest
import requests
import time_machine
from django.contrib.auth.models import Group
from django.test import Client

from org import oidc
from org.models import CompanyIdentity, User
from tests.processes import oidc_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider() as base:
        yield base


@pytest.fixture
def company(settings, provider):
    settings.OIDC_ISSUER = provider
    settings.OIDC_RP_CLIENT_ID = "levelhead"
    settings.OIDC_RP_CLIENT_SECRET = "levelhead-test-secret"
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    settings.OIDC_HR_GROUPS = ["people-team"]
    oidc._discovered.clear()
    yield provider
    oidc._discovered.clear()


def _claims(provider: str, sub: str, **claims: object) -> None:
    answer = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert answer.status_code == 204


def _sign_in(client: Client, sub: str):
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert "code_challenge=" in authorize and "nonce=" in authorize and "state=" in authorize
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith("http://testserver/oidc/callback/")
    return client.get(back.removeprefix("http://testserver"))


def _signed_in_as(client: Client) -> str | None:
    me = client.get("/api/v1/me/")
    return me.json()["username"] if me.status_code == 200 else None


def test_a_known_person_signs_in_with_their_verified_email(world, company):
    _claims(company, "sub-erin", email="Engineer@Example.org", email_verified=True)
    browser = Client()
    page = browser.get("/login/").content.decode()
    assert "Sign in with Example SSO" in page

    done = _sign_in(browser, "sub-erin")
    assert done.status_code == 302 and done["Location"] == "/"
    assert _signed_in_as(browser) == "engineer"
    identity = CompanyIdentity.objects.get()
    assert (identity.user, identity.subject) == (world.engineer.user, "sub-erin")


def test_after_the_first_sign_in_the_sub_is_what_counts(world, company):
    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True)
    assert _sign_in(Client(), "sub-erin").status_code == 302
    # The address changes at the provider (and is not even verified any more).
    _claims(company, "sub-erin", email="erin.new@example.org", email_verified=False)
    again = Client()
    assert _sign_in(again, "sub-erin")["Location"] == "/"
    assert _signed_in_as(again) == "engineer"
    # Someone else claiming Erin's address is not Erin.
    _claims(company, "sub-impostor", email="engineer@example.org", email_verified=False)
    impostor = Client()
    assert _sign_in(impostor, "sub-impostor")["Location"] == "/login/company/refused/"
    assert _signed_in_as(impostor) is None


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email": "nobody@example.org", "email_verified": True}, "No one with this email"),
        ({"email": "engineer@example.org", "email_verified": False}, "has not verified"),
        ({"email": "engineer@example.org"}, "has not verified"),
    ],
)
def test_unknown_or_unverified_sign_ins_are_refused_and_no_account_is_made(
    world, company, claims, reason, caplog
):
    users = User.objects.count()
    _claims(company, "sub-x", **claims)
    browser = Client()
    with caplog.at_level("WARNING", logger="levelhead.sign_in"):
        refused = _sign_in(browser, "sub-x")
    # Logged, with the reason and nothing the provider said about the person.
    [record] = [r for r in caplog.records if r.name == "levelhead.sign_in"]
    assert record.reason in ("unknown", "unverified")
    assert "example.org" not in record.getMessage()
    assert refused.status_code == 302 and refused["Location"] == "/login/company/refused/"
    page = browser.get(refused["Location"])
    assert page.status_code == 403 and reason in page.content.decode()
    assert _signed_in_as(browser) is None
    assert User.objects.count() == users and not CompanyIdentity.objects.exists()


def test_an_inactive_person_is_refused(world, company):
    from org import services

    services.person_update(actor=world.hr.user, person=world.engineer, is_active=False)
    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True)
    browser = Client()
    refused = _sign_in(browser, "sub-erin")
    page = browser.get(refused["Location"]).content.decode()
    assert "access to Levelhead has ended" in page
    assert _signed_in_as(browser) is None


def test_the_hr_groups_claim_grants_and_removes_the_hr_role(world, company):
    hr_group = Group.objects.get(name="HR")
    _claims(
        company,
        "sub-erin",
        email="engineer@example.org",
        email_verified=True,
        groups=["people-team"],
    )
    _sign_in(Client(), "sub-erin")
    assert world.engineer.user.groups.filter(pk=hr_group.pk).exists()
    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True, groups=["eng"])
    _sign_in(Client(), "sub-erin")
    assert not world.engineer.user.groups.filter(pk=hr_group.pk).exists()


def test_a_wrong_or_replayed_state_is_refused(world, company):
    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True)
    browser = Client()
    start = browser.get("/oidc/authenticate/")
    answer = requests.post(
        start["Location"], data={"sub": "sub-erin"}, allow_redirects=False, timeout=10
    )
    back = answer.headers["Location"].removeprefix("http://testserver")
    forged = back.replace("state=", "state=forged")
    assert browser.get(forged)["Location"] == "/login/company/refused/"
    assert _signed_in_as(browser) is None
    # The real state works once; replaying the same callback does not sign in again.
    assert browser.get(back)["Location"] == "/"
    other = Client()
    assert other.get(back)["Location"] == "/login/company/refused/"
    assert _signed_in_as(other) is None


def test_a_tampered_id_token_is_refused(world, company):
    backend = oidc.CompanySignIn()
    backend.request = None
    # A real ID token from the provider, for a code this test asks for.
    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True)
    browser = Client()
    start = browser.get("/oidc/authenticate/")
    answer = requests.post(
        start["Location"], data={"sub": "sub-erin"}, allow_redirects=False, timeout=10
    )
    from urllib.parse import parse_qs, urlparse

    code = parse_qs(urlparse(answer.headers["Location"]).query)["code"][0]
    verifier = next(iter(browser.session["oidc_states"].values()))["code_verifier"]
    token = requests.post(
        oidc.discovery()["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "levelhead",
            "client_secret": "levelhead-test-secret",
            "redirect_uri": "http://testserver/oidc/callback/",
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()["id_token"]
    super(oidc.CompanySignIn, backend).__init__()
    nonce = next(iter(browser.session["oidc_states"].values()))["nonce"]
    assert backend.verify_token(token, nonce=nonce)["sub"] == "sub-erin"
    header, body, signature = token.split(".")
    tampered = ".".join(
        [header, body, signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")]
    )
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(tampered, nonce=nonce)
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce="another-nonce")
    # The same token, once it has expired (the provider's tokens live for an hour).
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=3)
    with time_machine.travel(later), pytest.raises(jwt.ExpiredSignatureError):
        backend.verify_token(token, nonce=nonce)


def test_without_local_login_passwords_are_refused_but_for_superusers(world, company, settings):
    settings.LOCAL_LOGIN = False
    page = Client().get("/login/").content.decode()
    assert "Sign in with Example SSO" in page and 'name="password"' not in page
    refused = Client().post("/login/", {"username": "engineer", "password": "pw-for-tests"})
    assert (
        refused.status_code == 200
        and "password sign-in is turned off" in refused.content.decode().replace("&#x27;", "'")
    )
    token = Client().post(
        "/api/v1/auth/token/", {"username": "engineer", "password": "pw-for-tests"}
    )
    assert token.status_code == 403  # as for a wrong password: no token
    admin = Client().post("/login/", {"username": "root", "password": "pw-for-tests"})
    assert admin.status_code == 302


def test_without_a_provider_the_company_routes_do_not_exist(world, settings):
    settings.OIDC_ISSUER = ""
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in Client().get("/login/").content.decode()


def test_signing_out_ends_the_session_here_and_at_the_provider(world, company):
    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True)
    browser = Client()
    _sign_in(browser, "sub-erin")
    assert _signed_in_as(browser) == "engineer"
    out = browser.post("/logout/")
    assert out.status_code == 302
    assert out["Location"].startswith(f"{company}/oauth2/end_session?")
    assert "id_token_hint=" in out["Location"]
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Flogin%2F" in out["Location"]
    assert _signed_in_as(browser) is None
    # The provider knows that address: it answers with its sign-out page.
    assert requests.get(out["Location"], timeout=10).status_code == 200


def test_a_password_sign_in_signs_out_here_only(world, company, client_for):
    browser = client_for("engineer")
    out = browser.post("/logout/")
    assert out["Location"] == "/login/"
    assert _signed_in_as(browser) is None


def test_a_company_signed_in_request_asks_the_database_nothing_about_who_it_is(world, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _claims(company, "sub-erin", email="engineer@example.org", email_verified=True)
    browser = Client()
    _sign_in(browser, "sub-erin")
    assert _signed_in_as(browser) == "engineer"
    with CaptureQueriesContext(connection) as asked:
        assert _signed_in_as(browser) == "engineer"
    assert not [q for q in asked.captured_queries if '"org_user"' in q["sql"]]
