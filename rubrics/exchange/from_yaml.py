"""The lists of a YAML file, checked, with errors placed by line and path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from rubrics.exchange.errors import _file_error, _Problems, _short, _validated, _where
from rubrics.exchange.formats import LISTS, YAML_INFO, YAML_ITEM_FIELDS, YAML_REQUIRED


def _path_label(path: tuple[Any, ...]) -> str:
    """``("levels", 2, "code")`` → ``levels[2].code``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_short(part)}" if out else _short(part)
    return out or "document"


def _yaml_locator(text: str) -> Callable[[tuple[Any, ...]], int]:
    """path → line of the deepest node of the path that exists. The data itself only ever
    comes from ``yaml.safe_load``; ``compose`` (with the safe loader, building no Python
    objects) is read here for the positions of nodes, which ``safe_load`` drops."""
    composed: list[yaml.Node | None] = []

    def root() -> yaml.Node | None:
        # Parsed a second time only when there is an error to place (it costs as much as
        # the load), and once however many errors there are.
        if not composed:
            try:
                composed.append(yaml.compose(text, Loader=yaml.SafeLoader))
            except (yaml.YAMLError, RecursionError, ValueError):
                composed.append(None)
        return composed[0]

    def line_of(path: tuple[Any, ...]) -> int:
        node = root()
        line = node.start_mark.line + 1 if node is not None else 1
        for part in path:
            # A key's own line (its value may start on the next one), an item's first line.
            found: tuple[yaml.Node, yaml.Node] | None = None
            if isinstance(node, yaml.MappingNode):
                found = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                    ),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    found = (node.value[part], node.value[part])
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
        return line

    return line_of


def _yaml_load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "This is not valid YAML."
        problems = _Problems()
        problems.add(line, f"column {column}", f"Not valid YAML: {message}.")
        problems.fail()
    except yaml.reader.ReaderError as exc:
        line, column = _where(text, exc.position)
        problems = _Problems()
        problems.add(line, f"column {column}", "This character is not allowed in YAML.")
        problems.fail()
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # ValueError: a scalar that looks like a date but is not one (2024-13-45).
        raise _file_error(f"The file could not be read as YAML: {_short(exc, 200)}") from exc
    except RecursionError as exc:
        raise _file_error("The file nests too deeply to be a rubric.") from exc


def contents_from_yaml(text: str) -> dict[str, list[dict[str, Any]]]:
    """The lists of a YAML export, checked. ``ratings`` is absent when the file has none
    (the caller keeps the ladder's published scale)."""
    doc = _yaml_load(text)
    line_of = _yaml_locator(text)
    problems = _Problems()
    if doc is None:
        raise _file_error("The file holds no rubric (it is empty or only comments).")
    if not isinstance(doc, dict):
        problems.add(
            line_of(()),
            "document",
            "The file must be a mapping with the keys levels, competencies, expectations "
            "and ratings.",
        )
        problems.fail()
    known = (*LISTS, *YAML_INFO)
    for key in doc:
        if key not in known:
            problems.add(
                line_of((str(key),)),
                _short(key),
                f"Unknown key; the keys are {', '.join(known)}.",
            )
    for key in YAML_REQUIRED:
        if key not in doc:
            problems.add(1, key, "This key is missing.")
    for key in LISTS:
        items = doc.get(key)
        if not isinstance(items, list):
            continue  # the serializer says what is wrong with it
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            fields = YAML_ITEM_FIELDS[key]
            for field in item:
                if field not in fields:
                    problems.add(
                        line_of((key, i, str(field))),
                        _path_label((key, i, field)),
                        f"Unknown field; the fields are {', '.join(sorted(fields))}.",
                    )
    problems.raise_if_any()

    def locate(path: tuple[Any, ...]) -> tuple[int, str]:
        return line_of(path), _path_label(path)

    return _validated({k: doc[k] for k in LISTS if k in doc}, locate)
