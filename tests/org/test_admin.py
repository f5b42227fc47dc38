"""The admin is HR's back office. Every registered model's changelist and add page is
checked for every role; changelists use the same scoped selectors as the API."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from org.admin_site import HRAdminMixin
from org.models import Person
from tests.conftest import ROLES


def admin_urls(hr_models: bool = True) -> list[str]:
    urls = [reverse("admin:index")] if hr_models else []
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, HRAdminMixin) != hr_models:
            continue
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


def test_the_product_models_are_all_in_the_hr_back_office():
    labels = {m._meta.label for m, a in admin.site._registry.items() if isinstance(a, HRAdminMixin)}
    assert {
        "org.Team",
        "org.Person",
        "org.DemographicDimension",
        "rubrics.Ladder",
        "rubrics.RubricVersion",
    } <= labels


def test_third_party_admin_pages_are_for_superusers_only(world, client_for):
    from django.test import Client

    root = Client()
    root.force_login(world.root)
    for url in admin_urls(hr_models=False):
        assert client_for("hr").get(url).status_code == 403, url
        assert root.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_only_hr_enters_the_admin(world, client_for, role):
    c = client_for(role)
    for url in admin_urls():
        r = c.get(url)
        if role in ("hr", "superuser"):  # a superuser is HR (org.selectors.is_hr)
            assert r.status_code == 200, url
        else:
            assert r.status_code == 302, url
            assert r["Location"].startswith(reverse("admin:login")), url


def test_hr_person_changelist_comes_from_the_scoped_selector(world, client_for):
    r = client_for("hr").get(reverse("admin:org_person_changelist"))
    assert r.context["cl"].result_count == Person.objects.count()


def test_hr_adds_a_person_through_the_admin(world, client_for):
    r = client_for("hr").post(
        reverse("admin:org_person_add"),
        {
            "username": "adminmade",
            "full_name": "Admin Made",
            "email": "am@example.org",
            "team": world.team_a.pk,
            "function": "Backend",
            "parent": world.manager.pk,
            "ladder": world.ladder.pk,
            "level": "L3",
            "is_active": "on",
            "_save": "Save",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    person = Person.objects.get(user__username="adminmade")
    assert person.parent_id == world.manager.pk and not person.user.has_usable_password()


def test_admin_person_change_rejects_a_level_outside_the_ladder(world, client_for):
    url = reverse("admin:org_person_change", args=[world.engineer.pk])
    r = client_for("hr").post(
        url,
        {
            "username": "engineer",
            "full_name": "Erin Engineer",
            "email": "engineer@example.org",
            "team": world.team_a.pk,
            "function": "Backend",
            "parent": world.manager.pk,
            "ladder": world.ladder.pk,
            "level": "L9",
            "is_active": "on",
            "_save": "Save",
        },
    )
    assert r.status_code == 200
    world.engineer.refresh_from_db()
    assert world.engineer.level == "L4"


def test_logs_are_read_only_in_the_admin(world, client_for):
    from org.models import Activity

    entry = Activity.objects.first()
    url = reverse("admin:org_activity_change", args=[entry.pk])
    c = client_for("hr")
    assert c.get(reverse("admin:org_activity_add")).status_code == 403
    assert c.post(url, {"action": "x"}).status_code == 403
    assert (
        c.post(reverse("admin:org_activity_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Activity.objects.filter(pk=entry.pk).exists()
