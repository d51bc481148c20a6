"""Journey YAML in, a validated `JourneyDefinition` out, or every problem with its place.

A CX owner edits these files by hand, so one run must name every mistake: the shape of each
field (pydantic), then the rules that span fields (survey names, unique keys, message
placeholders). The rules that span fields need every field in shape, so they run once the
models validate. Each problem carries its path in the file (`touchpoints[3].delay`) and, when
the YAML node can be found, its line.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from string import Formatter
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from journeys import schema
from journeys.schema import JourneyDefinition

Loc = tuple[str | int, ...]

DEMO_DIR = Path(__file__).with_name("demo")

_FIELD_NAMES = sorted(
    {
        field.alias or name
        for model in vars(schema).values()
        if isinstance(model, type) and issubclass(model, BaseModel) and model is not BaseModel
        for name, field in model.model_fields.items()
    }
)
_PATTERN_MESSAGES = {
    schema.SLUG_PATTERN: "must be a lower-case name of letters, digits, - and _ (e.g. nps-csat)",
    schema.TRIGGER_PATTERN: "may only hold letters, digits and '.', '_', ':', '-'",
    schema.CHANNEL_PATTERN: "a channel is a lower-case name of letters, digits and _ (e.g. sms)",
}
_KIND_MESSAGES = {
    "model_type": "expected a mapping of fields",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "string_type": "expected a text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": "not a date as YYYY-MM-DD (e.g. 2026-12-25)",
    "date_parsing": "not a date as YYYY-MM-DD (e.g. 2026-12-25)",
    "date_from_datetime_parsing": "not a date as YYYY-MM-DD (e.g. 2026-12-25)",
}
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TWICE = "written twice (YAML would silently keep only the last)"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def describe(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class JourneyFileError(ValueError):
    """Raised with all the problems of a file, so nothing is applied from a bad one."""

    def __init__(self, problems: list[Problem], source: str = "<journey>") -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(problem.describe(source) for problem in problems))


def load_journey(
    text: str, *, source: str = "<journey>", channels: Collection[str] | None = None
) -> JourneyDefinition:
    """`channels`: the names of the channels there are. This package cannot know them (they
    are `dispatch`'s), so whoever composes the two passes them, and a channel the journey
    names that is not among them is a problem of the file like any other. None checks only
    that each name is well formed."""
    try:
        root, data = _parse_yaml(text)
    except yaml.YAMLError as error:
        raise JourneyFileError([_yaml_problem(error, text)], source) from None
    if root is None or not isinstance(data, dict):
        shape = "empty" if root is None else f"a YAML {type(data).__name__}"
        message = f"the file is {shape}: expected a mapping with journey, name, touchpoints, ..."
        raise JourneyFileError([Problem("", message, _line(root, ()))], source)
    problems = [Problem(_path(loc), _TWICE, line) for loc, line in _twins(root)]
    rules = _rules(data) if channels is None else [*_rules(data), *_channels(data, channels)]
    problems += [Problem(_path(loc), msg, _line(root, loc)) for loc, msg in rules]
    try:
        definition = JourneyDefinition.model_validate(data)
    except ValidationError as error:
        problems += [_validation_problem(detail, root) for detail in error.errors()]
    else:
        problems += [Problem(_path(loc), msg, _line(root, loc)) for loc, msg in _after(definition)]
    if problems:
        problems.sort(key=lambda problem: (problem.line is None, problem.line or 0))
        raise JourneyFileError(problems, source)
    return definition


def load_journey_file(
    path: str | Path, *, channels: Collection[str] | None = None
) -> JourneyDefinition:
    path = Path(path)
    return load_journey(path.read_text(encoding="utf-8"), source=str(path), channels=channels)


def journey_digest(definition: JourneyDefinition) -> str:
    """Equal for equal meaning, whatever the layout, so re-applying an unchanged file is a no-op."""
    data = definition.model_dump(mode="json", by_alias=True)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# YAML: parse once, keep the node tree for line numbers.


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a date that is not one ("2026-13-01" among the
    holidays) is a problem of the file at its line, not a crash."""

    def construct_date(self, node: yaml.ScalarNode) -> object:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as error:
            message = f"not a date: {node.value} ({error})"
            raise yaml.constructor.ConstructorError(None, None, message, node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_date)


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return Problem("", f"invalid YAML: character #x{error.character:04x}: {error.reason}", line)
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return Problem("", f"invalid YAML: {str(error).splitlines()[0]}")  # pragma: no cover
    line = error.problem_mark.line + 1
    message = f"invalid YAML: {error.problem}"
    if error.context:
        started = error.context_mark.line + 1 if error.context_mark else line
        message += f" ({error.context}" + (f" on line {started})" if started != line else ")")
    return Problem("", message, line)


def _line(root: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest node along `loc`; a missing key falls back to its parent."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next((p for p in node.value if p[0].value == str(step)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step]  # pydantic only names items that are there
            line = node.start_mark.line + 1
        else:
            break
    return line


def _twins(
    node: yaml.Node, loc: Loc = (), seen: set[int] | None = None
) -> Iterator[tuple[Loc, int]]:
    """Keys written twice, with the line of the second: YAML keeps the last one silently.

    An alias shares its anchor's node; each node is visited once, so a recursive or
    "billion laughs" file costs no more than its text.
    """
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    children: list[tuple[str | int, yaml.Node]] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(enumerate(node.value))
    elif isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            if name in names:
                yield (*loc, name), key.start_mark.line + 1
            names.add(name)
            children.append((name, value))
    for step, child in children:
        yield from _twins(child, (*loc, step), seen)


def _path(loc: Loc) -> str:
    parts: list[str] = []
    for step in loc:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _PLAIN_KEY.fullmatch(step):
            parts.append(f".{step}" if parts else step)
        else:
            parts.append(f"[{json.dumps(step, ensure_ascii=False)}]")
    return "".join(parts)


# pydantic errors, said as a CX owner would want to read them.


def _validation_problem(detail: ErrorDetails, root: yaml.Node) -> Problem:
    loc: Loc = tuple(detail["loc"])
    message = _clean_message(detail)
    if loc and loc[-1] == "[key]":
        loc, message = loc[:-1], f"invalid name: {message}"
    return Problem(_path(loc), message, _line(root, loc))


def _clean_message(detail: ErrorDetails) -> str:
    kind, ctx, given = detail["type"], detail.get("ctx") or {}, detail["input"]
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(detail["loc"][-1]), _FIELD_NAMES, n=1)
        return f"unknown field (did you mean {close[0]!r}?)" if close else "unknown field"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx['expected']}, not {given!r}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_MESSAGES:
        return f"{_PATTERN_MESSAGES[ctx['pattern']]}, not {given!r}"
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "model_type" and ctx.get("class_name") == "LocalizedText":
        return "expected a text, or one text per language (en, zh-CN)"
    if kind == "model_type" and ctx.get("class_name") == "FollowUpRule":
        return "expected a mapping of fields, or off"
    if kind in _KIND_MESSAGES:
        return _KIND_MESSAGES[kind]
    if kind == "time_parsing":
        return f"not a time of day as HH:MM ({ctx.get('error', 'invalid')})"
    message = detail["msg"].removeprefix("Value error, ")
    return re.sub(r"^(Input|String|List|Dictionary) should", "must", message)


# Rules that span fields.


def _rules(data: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Checks that span fields, run on the file as written so that they are reported along
    with any shape errors: every problem at once, whatever else is wrong."""
    yield from _touchpoint_rules(data)
    yield from _channel_keys(data)
    for channel, variants in _mapping(data.get("messages")).items():
        for variant, wording in _mapping(variants).items():
            for part, needs_link, text in _parts(wording):
                for locale, written in _wordings(text):
                    for message in _template_problems(written, needs_link=needs_link):
                        yield ("messages", channel, variant, *part, *locale), message


def _after(definition: JourneyDefinition) -> Iterator[tuple[Loc, str]]:
    """Checks that need the values read (durations as lengths): run once the file is in
    shape."""
    yield from _retention_rules(definition)
    yield from _experiment_rules(definition)
    yield from _clock_rules(definition.follow_up, ("follow_up",))
    for index, touchpoint in enumerate(definition.touchpoints):
        own = touchpoint.follow_up
        if own is not None and own.model_fields_set & {"first_response", "resolution"}:
            merged = definition.follow_up_for(touchpoint)
            yield from _clock_rules(merged, ("touchpoints", index, "follow_up"))


def _clock_rules(rule: schema.FollowUpRule, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if rule.enabled and rule.first_response > rule.resolution:
        limit = schema.format_duration(rule.resolution)
        yield (*loc, "first_response"), f"must not be longer than the resolution time ({limit})"


def _retention_rules(definition: JourneyDefinition) -> Iterator[tuple[Loc, str]]:
    """Personal data kept for less time than a survey waits would be gone before the
    customer is asked."""
    retention = definition.retention
    if retention is None:
        return
    if retention <= timedelta(0):
        yield ("retention",), "must be longer than zero (leave it out to keep the default)"
        return
    longest = max(definition.touchpoints, key=lambda touchpoint: touchpoint.delay)
    if retention <= longest.delay:
        index, delay = definition.touchpoints.index(longest), schema.format_duration(longest.delay)
        yield (
            ("retention",),
            f"must be longer than every delay (touchpoints[{index}] waits {delay})",
        )


def _parts(wording: object) -> Iterator[tuple[Loc, bool, object]]:
    """A wording is one text, or a subject and a body (an email); only the text the
    customer acts on must carry the link."""
    parts = _mapping(wording)
    if "subject" in parts or "body" in parts:
        yield ("subject",), False, parts.get("subject")
        yield ("body",), True, parts.get("body")
    else:
        yield (), True, wording


def _channel_names(data: dict[str, Any]) -> Iterator[tuple[Loc, str, bool]]:
    """Every channel the journey names, with its place and whether it is a key (of the
    wording or a reminder policy), which the schema does not check the form of."""
    touchpoints = data.get("touchpoints")
    for index, touchpoint in enumerate(touchpoints if isinstance(touchpoints, list) else []):
        touchpoint = _mapping(touchpoint)
        names = touchpoint.get("channels")
        for place, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str):
                yield ("touchpoints", index, "channels", place), name, False
        for name in _mapping(touchpoint.get("reminder")):
            yield ("touchpoints", index, "reminder", str(name)), str(name), True
    for name in _mapping(data.get("messages")):
        yield ("messages", str(name)), str(name), True


def _well_formed(name: str) -> bool:
    return re.fullmatch(schema.CHANNEL_PATTERN, name) is not None


def _channel_keys(data: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
    for loc, name, is_key in _channel_names(data):
        if is_key and not _well_formed(name):
            message = _PATTERN_MESSAGES[schema.CHANNEL_PATTERN]
            yield loc, f"invalid name: {message}, not {name!r}"


def _channels(data: dict[str, Any], known: Collection[str]) -> Iterator[tuple[Loc, str]]:
    """Every channel the journey names that is not among the known ones."""
    listed = ", ".join(sorted(known))
    for loc, name, _ in _channel_names(data):
        if _well_formed(name) and name not in known:
            yield loc, f"unknown channel {name!r} (channels: {listed})"


def _mapping(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _wordings(text: object) -> Iterator[tuple[Loc, str]]:
    """A text is a plain string (English) or one string per language."""
    if isinstance(text, str):
        yield ("en",), text
    for locale, wording in _mapping(text).items():
        if isinstance(wording, str):
            yield (locale,), wording


def _experiment_rules(definition: JourneyDefinition) -> Iterator[tuple[Loc, str]]:
    """An experiment's variants are worded for some channel; its touchpoints exist and take
    part in no other experiment."""
    keys = [touchpoint.key for touchpoint in definition.touchpoints]
    worded = {
        variant
        for channel in definition.messages.channels()
        for variant in definition.messages.wording(channel)
    }
    taken: dict[str, str] = {}
    for name, experiment in definition.experiments.items():
        for variant in experiment.variants:
            if variant not in worded:
                known = ", ".join(sorted(worded)) or "none"
                message = f"no message is worded for variant {variant!r} (variants: {known})"
                yield ("experiments", name, "variants", variant), message
        for index, key in enumerate(experiment.touchpoints or keys):
            if key not in keys:
                message = f"unknown touchpoint {key!r} (touchpoints: {', '.join(keys)})"
                yield ("experiments", name, "touchpoints", index), message
            elif key in taken:
                message = f"touchpoint {key!r} is already in experiment {taken[key]!r}"
                yield ("experiments", name, "touchpoints", index), message
            taken.setdefault(key, name)


def _touchpoint_rules(data: dict[str, Any]) -> Iterator[tuple[Loc, str]]:
    touchpoints = data.get("touchpoints")
    surveys = _mapping(data.get("surveys"))
    keys: dict[str, int] = {}
    priorities: dict[int, int] = {}
    for index, touchpoint in enumerate(touchpoints if isinstance(touchpoints, list) else []):
        touchpoint = _mapping(touchpoint)
        key, survey, priority = (touchpoint.get(k) for k in ("key", "survey", "priority"))
        if isinstance(key, str) and key in keys:
            yield ("touchpoints", index, "key"), f"duplicate key {key!r}"
        if isinstance(key, str):
            keys.setdefault(key, index)
        if isinstance(survey, str) and surveys and survey not in surveys:
            known = ", ".join(sorted(map(str, surveys)))
            yield ("touchpoints", index, "survey"), f"unknown survey {survey!r} (surveys: {known})"
        if isinstance(priority, int) and not isinstance(priority, bool):
            if priority in priorities:
                message = (
                    f"duplicate priority {priority} (also touchpoints[{priorities[priority]}])"
                )
                yield ("touchpoints", index, "priority"), message
            priorities.setdefault(priority, index)


def _template_problems(wording: str, *, needs_link: bool) -> list[str]:
    try:
        fields = [(name, conv, spec) for _, name, spec, conv in Formatter().parse(wording)]
    except ValueError as error:
        return [f"bad brace: {str(error).lower()} (write {{{{ or }}}} for a literal brace)"]
    known = ", ".join(f"{{{name}}}" for name in sorted(schema.PLACEHOLDERS))
    problems = []
    for name, conversion, spec in fields:
        if name is None:
            continue
        if name not in schema.PLACEHOLDERS:
            problems.append(f"unknown placeholder {{{name}}} (use {known})")
        elif conversion or spec:
            problems.append(f"write the placeholder as plain {{{name}}}")
    if needs_link and all(name != "link" for name, _, _ in fields):
        problems.append("must contain {link}: without it the customer cannot answer")
    return problems
