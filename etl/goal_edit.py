"""Edit goal-definition files without hand-editing the YAML: write proposed target values
and proposed indicators into a file, decide a proposal, remove proposals.

Called by `python -m etl adopt` (and by the `propose` command that computes proposals).
The file is read in ruamel.yaml's round-trip mode, so what a person wrote survives an
edit: comments, key order, quoting ('0665', '11.10') and folded text. Every edit is made
in memory, written to a temporary file beside the original, read back through the ETL's
own strict reader (etl.goal_files.read_yaml) and validated by core.goals.parse_goal_file
with the reference data; only a valid result replaces the file (os.replace, atomic). An
invalid edit raises GoalFileError naming the original file and leaves it byte-identical.

Deciding a proposal (`decide_ambition`) keeps its `proposal` record beside the new
`decision`: the decided value's history (which method proposed it, when, by whom) is
worth more than the two lines it costs, and core.goals accepts it on a `beslut`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from core.errors import GoalFileError, Problem
from core.goals import GoalFile, ReferenceData, parse_goal_file
from etl.goal_files import display_name, read_yaml

# Where a new key goes in an indicator or a goal: after the last of these that is present
# (the order data/goals/README.md documents), so an added list reads where a person
# expects it.
_INDICATOR_KEYS_BEFORE_AMBITIONS = (
    "id",
    "title",
    "kpi",
    "local",
    "direction",
    "direction_provenance",
    "gender",
    "unit",
    "baseline",
)
_GOAL_KEYS_BEFORE_INDICATORS = (
    "id",
    "number",
    "title",
    "kind",
    "perspective",
    "type",
    "measurability",
    "definition_status",
    "description",
    "ambition",
    "responsible",
    "governing_documents",
)
_AMBITION_KEY_ORDER = ("kind", "date", "value", "provenance", "decision", "proposal", "note")


def _represent_float(representer: Any, value: float) -> Any:
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.10f}".rstrip("0").rstrip(".")
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


class _Representer(RoundTripRepresenter):
    """New plain Python floats as a person writes them: 81.5, never 8.15e+01 (floats read
    from the file keep their own text). A subclass, so other ruamel users are unaffected."""


_Representer.add_representer(float, _represent_float)


def _yaml() -> YAML:
    """Round-trip settings that reproduce the bundled files byte for byte (tested): the
    files indent sequences by four with the dash at two, and long lines are never
    re-wrapped."""
    y = YAML()
    y.Representer = _Representer
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _load(path: Path) -> tuple[str, CommentedMap]:
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoalFileError([Problem(name, "", f"filen kan inte läsas ({exc.strerror})")]) from None
    try:
        data = _yaml().load(text)
    except YAMLError as exc:
        raise GoalFileError([Problem(name, "", f"filen är inte giltig YAML ({exc})")]) from None
    if not isinstance(data, CommentedMap):
        raise GoalFileError([Problem(name, "", "filen är ingen målfil (ingen uppsättning fält)")])
    return text, data


def _dump(data: CommentedMap) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def _default_reference() -> ReferenceData:
    from config import Paths
    from etl.reference import read_reference_data

    paths = Paths.from_env()
    return read_reference_data(paths.reference_dir, paths.kolada_dir)


def _edit(
    path: Path, change: Callable[[CommentedMap, str], None], ref: ReferenceData | None
) -> GoalFile:
    """Apply `change` to the file's round-trip tree, validate the result as the ETL would
    and write it atomically; return the validated file. Nothing is written when the
    change leaves the text as it was or when the result is invalid."""
    path = Path(path)
    name = display_name(path)
    original, data = _load(path)
    change(data, name)
    text = _dump(data)
    ref = ref if ref is not None else _default_reference()
    # The temporary file must not end in .yaml: an ETL run reading the folder meanwhile
    # would take it for a second goal file.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        # The ETL's own reader (strict: dates as text, duplicate keys refused), with the
        # problems named after the real file, not the temporary one.
        parsed = parse_goal_file(name, read_yaml(tmp), ref)
        if text == original:
            return parsed
        tmp.chmod(path.stat().st_mode & 0o777)
        tmp.replace(path)  # atomic: a reader sees the old file or the new, never half
    finally:
        tmp.unlink(missing_ok=True)
    return parsed


# ------------------------------------------------------------------ finding things


def _goals(data: CommentedMap) -> Iterator[CommentedMap]:
    for fw in _maps(data.get("frameworks")):
        for area in _maps(fw.get("areas")):
            yield from _maps(area.get("goals"))
        yield from _maps(fw.get("goals"))


def _maps(value: Any) -> list[CommentedMap]:
    return [v for v in value if isinstance(v, CommentedMap)] if isinstance(value, list) else []


def _indicators(data: CommentedMap) -> Iterator[CommentedMap]:
    for goal in _goals(data):
        yield from _maps(goal.get("indicators"))


def _find_indicator(data: CommentedMap, indicator_id: str, name: str) -> CommentedMap:
    for ind in _indicators(data):
        if ind.get("id") == indicator_id:
            return ind
    raise GoalFileError([Problem(name, "", f"indikatorn {indicator_id!r} finns inte i filen")])


def _find_goal(data: CommentedMap, goal_id: str, name: str) -> CommentedMap:
    for goal in _goals(data):
        if goal.get("id") == goal_id:
            return goal
    raise GoalFileError([Problem(name, "", f"målet {goal_id!r} finns inte i filen")])


def _insert_after(node: CommentedMap, before: Sequence[str], key: str, value: Any) -> None:
    """Add `key` after the last key of `before` that `node` has (at the end otherwise)."""
    keys = list(node.keys())
    present = [keys.index(k) for k in before if k in node]
    position = max(present) + 1 if present else len(keys)
    node.insert(position, key, value)


def _list_at(node: CommentedMap, key: str, before: Sequence[str]) -> CommentedSeq:
    """The list under `key`, made (where README's key order puts it) when missing."""
    current = node.get(key)
    if not isinstance(current, CommentedSeq):
        current = CommentedSeq()
        if key in node:
            node[key] = current
        else:
            _insert_after(node, before, key, current)
    return current


def _is_proposal(entry: Any) -> bool:
    return isinstance(entry, Mapping) and entry.get("provenance") == "förslag"


# ------------------------------------------------------------------ building new nodes


def _date_text(value: Any) -> Any:
    """Dates as the bundled files write them: quoted ÅÅÅÅ-MM-DD (the reader keeps dates as
    text either way; quoting says so)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return SingleQuotedScalarString(value.isoformat())
    if isinstance(value, str):
        return SingleQuotedScalarString(value)
    return value  # left for validation to name


def _node(value: Any, *, flow: bool = False) -> Any:
    """A plain value (dicts, lists, dates, numbers) as round-trip nodes."""
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _date_text(v) if k == "date" else _node(v, flow=True)
        if flow:
            out.fa.set_flow_style()
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_node(v, flow=True) for v in value)
        if flow:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dt.date):
        return _date_text(value)
    return value


def _ambition_node(entry: Mapping[str, Any]) -> CommentedMap:
    """One ambition in block style, keys in the documented order, `proposal` on one line."""
    ordered = [k for k in _AMBITION_KEY_ORDER if k in entry] + [
        k for k in entry if k not in _AMBITION_KEY_ORDER
    ]
    out = CommentedMap()
    for k in ordered:
        out[k] = _date_text(entry[k]) if k == "date" else _node(entry[k], flow=True)
    return out


def _indicator_node(indicator: Mapping[str, Any]) -> CommentedMap:
    out = CommentedMap()
    for k, v in indicator.items():
        if k == "ambitions":
            out[k] = CommentedSeq(_ambition_node(a) for a in v)
        else:
            out[k] = _node(v, flow=True)
    return out


# ------------------------------------------------------------------ the edits


def add_ambitions(
    path: Path,
    indicator_id: str,
    entries: Sequence[Mapping[str, Any]],
    *,
    replace_proposals: bool = True,
    ref: ReferenceData | None = None,
) -> GoalFile:
    """Add target values to an indicator. Each entry is a mapping of the ambition's fields
    (data/goals/README.md: kind, date, value, provenance, and decision or proposal; dates
    as dt.date or ÅÅÅÅ-MM-DD). With `replace_proposals` (the default) the indicator's
    earlier proposals go first, so computing proposals again replaces them instead of
    piling up; decided values are never touched. Returns the validated file."""
    return add_ambitions_to_many(
        path, {indicator_id: entries}, replace_proposals=replace_proposals, ref=ref
    )


def add_ambitions_to_many(
    path: Path,
    entries_by_indicator: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    replace_proposals: bool = True,
    ref: ReferenceData | None = None,
) -> GoalFile:
    """add_ambitions for several indicators in one edit: the file is read, validated and
    written once (a goal file of a thousand lines takes about a second a round trip)."""

    def change(data: CommentedMap, name: str) -> None:
        for indicator_id, entries in entries_by_indicator.items():
            ind = _find_indicator(data, indicator_id, name)
            current = _list_at(ind, "ambitions", _INDICATOR_KEYS_BEFORE_AMBITIONS)
            if replace_proposals:
                _drop(current, _is_proposal)
            current.extend(_ambition_node(e) for e in entries)
            if not current:
                del ind["ambitions"]

    return _edit(path, change, ref)


def add_indicator(
    path: Path,
    goal_id: str,
    indicator: Mapping[str, Any],
    *,
    ref: ReferenceData | None = None,
) -> GoalFile:
    """Append an indicator (a mapping of its fields, in the order they should be written)
    to a goal. A proposed one says so: `provenance: förslag`, `reason`, and `proposal`
    ({method, date, by}) when a tool found it. Returns the validated file."""
    return add_indicators(path, [(goal_id, indicator)], ref=ref)


def add_indicators(
    path: Path,
    indicators: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    ref: ReferenceData | None = None,
) -> GoalFile:
    """add_indicator for several (goal id, indicator) pairs in one edit."""

    def change(data: CommentedMap, name: str) -> None:
        for goal_id, indicator in indicators:
            goal = _find_goal(data, goal_id, name)
            _list_at(goal, "indicators", _GOAL_KEYS_BEFORE_INDICATORS).append(
                _indicator_node(indicator)
            )

    return _edit(path, change, ref)


def decide_ambition(
    path: Path,
    indicator_id: str,
    date: dt.date | None,
    decision_ref: str,
    *,
    ref: ReferenceData | None = None,
) -> GoalFile:
    """Turn the indicator's proposed target value on `date` (every proposed one when
    `date` is None) into a decided one: `provenance: beslut` with `decision: decision_ref`.
    The `proposal` record stays as the value's history. Raises GoalFileError when there is
    no such proposal."""

    def change(data: CommentedMap, name: str) -> None:
        ind = _find_indicator(data, indicator_id, name)
        entries = [e for e in _maps(ind.get("ambitions")) if _is_proposal(e)]
        if date is not None:
            entries = [e for e in entries if str(e.get("date")) == date.isoformat()]
        if not entries:
            when = f" för {date.isoformat()}" if date is not None else ""
            raise GoalFileError(
                [
                    Problem(
                        name,
                        "",
                        f"indikatorn {indicator_id!r} har inget förslag till målvärde{when} "
                        "att besluta",
                    )
                ]
            )
        for e in entries:
            e["provenance"] = "beslut"
            if "decision" in e:
                e["decision"] = decision_ref
            else:
                _insert_after(e, ("kind", "date", "value", "provenance"), "decision", decision_ref)

    return _edit(path, change, ref)


def remove_proposals(
    path: Path,
    indicator_id: str | None = None,
    *,
    indicators: bool = False,
    ref: ReferenceData | None = None,
) -> int:
    """Delete proposed target values: one indicator's, or (None) every indicator's in the
    file. An indicator left without ambitions loses the key. With `indicators`, indicators
    a tool proposed (`provenance: förslag` with a `proposal` record, as `python -m etl
    propose` writes them) go as well; one proposed by hand (a reason, no record) stays. A
    goal left without indicators loses the key. Returns how many went (target values and
    indicators)."""
    removed = 0

    def change(data: CommentedMap, name: str) -> None:
        nonlocal removed
        if indicators:
            for goal in _goals(data):
                current = goal.get("indicators")
                if not isinstance(current, CommentedSeq):
                    continue
                removed += _drop(current, _is_tool_proposed_indicator)
                if not current:
                    del goal["indicators"]
        targets = (
            [_find_indicator(data, indicator_id, name)]
            if indicator_id is not None
            else list(_indicators(data))
        )
        for ind in targets:
            current = ind.get("ambitions")
            if not isinstance(current, CommentedSeq):
                continue
            removed += _drop(current, _is_proposal)
            if not current:
                del ind["ambitions"]

    _edit(path, change, ref)
    return removed


def _is_tool_proposed_indicator(ind: Any) -> bool:
    return (
        isinstance(ind, CommentedMap) and ind.get("provenance") == "förslag" and ("proposal" in ind)
    )


def _drop(seq: CommentedSeq, predicate: Callable[[Any], bool]) -> int:
    doomed = [i for i, e in enumerate(seq) if predicate(e)]
    for i in reversed(doomed):
        del seq[i]
    return len(doomed)
