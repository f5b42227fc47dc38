"""The shape of the code base (README "Layout"): imports only go down the app graph, no
two modules import each other, no module grows past 500 lines, and the guarded models are
read and written only in selectors and services.

These read the source files, not the running app, so they fail the moment a change breaks
the layout, whichever test the change came with.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: an app may import from itself and from the apps before it. config (settings
# and URLs) sits on top of everything and is not listed.
APP_ORDER = [
    "core",
    "org",
    "rubrics",
    "outcomes",
    "reviews",
    "upward",
    "calibration",
    "audit",
    "home",
]
TOP_APPS = {"demo", "config"}  # may import any app
PACKAGES = [*APP_ORDER, *sorted(TOP_APPS)]
MAX_LINES = 500


def _source_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                files.append(path)
    return sorted(files)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports, at any depth in the file (an import
    inside a function is still an import)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


SOURCES = _source_files()
MODULES = {_module_name(p): p for p in SOURCES}


def _module_graph() -> dict[str, set[str]]:
    return {
        name: {m for m in _imports(path) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }


def test_the_layout_test_sees_every_app() -> None:
    # Guards the guards: a typo in PACKAGES would make every test below pass vacuously.
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    assert len(MODULES) > 100


def test_imports_only_go_down_the_app_graph() -> None:
    rank = {app: i for i, app in enumerate(APP_ORDER)}
    wrong = []
    for name, path in MODULES.items():
        app = name.split(".")[0]
        if app in TOP_APPS:
            continue
        for target in _imports(path):
            other = target.split(".")[0]
            if other in rank and rank[other] > rank[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
            if other in TOP_APPS:
                wrong.append(f"{path.relative_to(ROOT)} imports {target} (a top-level package)")
    assert not sorted(set(wrong))


def test_org_imports_no_app_above_it() -> None:
    # The same rule, said for the base app on its own: it is the one every app builds on.
    above = set(APP_ORDER[APP_ORDER.index("org") + 1 :]) | TOP_APPS
    wrong = [
        f"{path.relative_to(ROOT)} imports {target}"
        for name, path in MODULES.items()
        if name.split(".")[0] == "org"
        for target in _imports(path)
        if target.split(".")[0] in above
    ]
    assert not wrong


def test_no_lower_app_looks_a_higher_app_up_by_name() -> None:
    # apps.get_model("calibration", ...) from org would be an import in disguise; a lower
    # app asks through a core.hooks.Hook instead.
    rank = {app: i for i, app in enumerate(APP_ORDER)}
    pattern = re.compile(r"""apps\.(?:get_model|is_installed)\(\s*["'](\w+)""")
    wrong = []
    for name, path in MODULES.items():
        app = name.split(".")[0]
        if app in TOP_APPS:
            continue
        for match in pattern.finditer(path.read_text()):
            other = match.group(1)
            if other in rank and rank[other] > rank[app]:
                wrong.append(f"{path.relative_to(ROOT)} looks up {other}")
    assert not wrong


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    # Tarjan's strongly connected components, without recursion.
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return sorted(cycles)


def test_no_two_modules_import_each_other() -> None:
    assert not _cycles(_module_graph())


def test_the_cycle_finder_finds_loops_and_only_loops(tmp_path: Path) -> None:
    # Guards the guard: a function-level import counts, and a loop through three modules
    # is found as one group while a plain chain is not a loop.
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from org import b\n")
    assert "org.b" in _imports(a)
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_500_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


GUARDED = re.compile(r"\b(Person|Review)\.objects\b")


def _may_touch_guarded_models(path: Path) -> bool:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return any(part in ("selectors", "services") for part in parts)


def test_people_and_reviews_are_read_only_in_selectors_and_services() -> None:
    wrong = defaultdict(list)
    for path in SOURCES:
        if _may_touch_guarded_models(path):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if GUARDED.search(line):
                wrong[str(path.relative_to(ROOT))].append(number)
    assert not dict(wrong)
