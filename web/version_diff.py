"""The difference between two versions of a journey's YAML, line by line (pure).

`difflib.unified_diff` of the standard library: the format every engineer reads in a code
review, and the CX owner reads as red and green lines. Each line keeps its kind, so the page
marks it with a sign and a word for screen readers as well as a colour. A version stored
without its YAML (applied through code) is shown as its definition dumped to YAML.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

import yaml

Kind = Literal["hunk", "added", "removed", "same"]

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    text: str
    #: The line's number in the older and the newer file, None where it has none.
    old: int | None = None
    new: int | None = None


def version_text(source: str | None, definition: dict[str, Any]) -> str:
    """What the editor saved, or its definition as YAML when no text was kept."""
    if source is not None:
        return source
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True)


def diff_lines(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """Unified diff with line numbers; empty when the texts are equal."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        header = f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@"
        lines.append(DiffLine("hunk", header))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("same", old_lines[i], i + 1, j + 1)
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            lines += [DiffLine("removed", old_lines[i], old=i + 1) for i in range(i1, i2)]
            lines += [DiffLine("added", new_lines[j], new=j + 1) for j in range(j1, j2)]
    return lines


def _range(start: int, stop: int) -> str:
    """As `unified_diff` writes it: 1-based start, and the length when not 1."""
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start + 1 if length else start},{length}"


def unified_text(lines: list[DiffLine], old_label: str, new_label: str) -> str:
    """The diff as plain text, to copy into a review or a ticket."""
    signs = {"hunk": "", "added": "+", "removed": "-", "same": " "}
    body = [f"{signs[line.kind]}{line.text}" for line in lines]
    return "\n".join([f"--- {old_label}", f"+++ {new_label}", *body]) + "\n" if lines else ""
