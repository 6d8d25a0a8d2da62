"""Read goal-definition YAML files from disk and hand them to core.goals for validation.

The YAML loader is deliberately stricter than PyYAML's default: dates stay text (so the
validator, not the loader, reports `2019-04-31` with the file and field instead of a
traceback), and a key written twice in one mapping is an error rather than a silent
overwrite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.errors import GoalFileError, Problem
from core.goals import GoalFile, ReferenceData, check_goal_files, parse_goal_file


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps, recording duplicate keys."""

    duplicate_keys: list[tuple[str, int]]


# Drop the timestamp resolver: PyYAML would raise ValueError deep in the loader on an
# impossible date; as text, the validator reports it with its path.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            loader.duplicate_keys.append((str(key), key_node.start_mark.line + 1))
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def display_name(path: Path) -> str:
    """The path as a user knows it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; raise GoalFileError (never a traceback) on any fault."""
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GoalFileError([Problem(name, "", "filen är inte sparad som UTF-8")]) from None
    except OSError as exc:
        raise GoalFileError([Problem(name, "", f"filen kan inte läsas ({exc.strerror})")]) from None
    loader = _StrictLoader(text)
    loader.duplicate_keys = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"rad {mark.line + 1}, kolumn {mark.column + 1}" if mark else "okänd plats"
        raise GoalFileError(
            [Problem(name, "", f"filen är inte giltig YAML ({where}: {exc.problem})")]
        ) from None
    except yaml.YAMLError as exc:
        raise GoalFileError([Problem(name, "", f"filen är inte giltig YAML ({exc})")]) from None
    finally:
        loader.dispose()
    if loader.duplicate_keys:
        raise GoalFileError(
            [
                Problem(name, key, f"fältet står två gånger i samma avsnitt (rad {line})")
                for key, line in loader.duplicate_keys
            ]
        )
    if data is None:
        raise GoalFileError([Problem(name, "", "filen är tom")])
    return data


def read_goal_file(path: Path, ref: ReferenceData) -> GoalFile:
    return parse_goal_file(display_name(path), read_yaml(path), ref)


def read_goal_files(folder: Path, ref: ReferenceData) -> list[GoalFile]:
    """Read and validate every `*.yaml` in `folder`; collect all problems in all files
    before raising, so one run shows everything that needs fixing."""
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise GoalFileError([Problem(display_name(folder), "", "det finns inga målfiler (*.yaml)")])
    problems: list[Problem] = []
    files: list[GoalFile] = []
    for path in paths:
        try:
            files.append(read_goal_file(path, ref))
        except GoalFileError as exc:
            problems.extend(exc.problems)
    problems.extend(check_goal_files(files))
    if problems:
        raise GoalFileError(problems)
    return files
