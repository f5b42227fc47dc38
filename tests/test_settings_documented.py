"""Every environment variable the settings read is in the README's Configuration table,
with its default, and the table lists nothing the settings do not read."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# `env.str("NAME", ...)`, `env.db("NAME", ...)`, `env_bool("NAME", ...)` and the like.
_READ = re.compile(r"""\benv(?:_\w+|\.\w+)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| ([^|]+) \|", re.MULTILINE)


def _read_in_settings() -> set[str]:
    return set(_READ.findall((ROOT / "config" / "settings.py").read_text()))


def _readme_table() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return {name: default.strip() for name, default in _ROW.findall(section)}


def test_the_pattern_sees_the_settings_reads():
    # Guards the test itself: a pattern that matched nothing would pass vacuously.
    assert {"DEBUG", "DATABASE_URL", "CACHE_URL", "LEVELHEAD_REQUIRE_EVIDENCE"} <= (
        _read_in_settings()
    )


def test_every_variable_read_in_settings_is_in_the_readme_table():
    assert sorted(_read_in_settings() - set(_readme_table())) == []


def test_the_readme_table_lists_only_variables_settings_read():
    assert sorted(set(_readme_table()) - _read_in_settings()) == []


def test_every_readme_row_states_a_default():
    assert [name for name, default in _readme_table().items() if not default] == []


def test_every_levelhead_setting_is_declared_in_settings():
    # A project setting used elsewhere with a getattr() default would have two homes for
    # its default; every LEVELHEAD_* name in the code must be a declared setting.
    used: set[str] = set()
    apps = [
        d
        for d in ROOT.iterdir()
        if d.is_dir() and ((d / "__init__.py").exists() or d.name == "scripts")
    ]
    for path in (p for app in apps for p in app.rglob("*.py")):
        used |= set(re.findall(r"\bLEVELHEAD_[A-Z0-9_]+", path.read_text()))
    assert used, "no LEVELHEAD_* setting found: the search is broken"
    assert sorted(n for n in used if not hasattr(settings, n)) == []
    assert sorted(n for n in used if n not in _readme_table()) == []
