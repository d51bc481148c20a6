"""Line-by-line differences between two versions of a journey's YAML (pure)."""

from __future__ import annotations

import difflib

from web.version_diff import DiffLine, diff_lines, unified_text, version_text

OLD = "journey: shop\nname: Shop\ntargets: {nps: 40}\ntouchpoints: []\n"
NEW = "journey: shop\nname: Shop\ntargets: {nps: 45}\ntouchpoints: []\n"


def test_a_changed_line_is_removed_then_added_with_its_numbers():
    lines = diff_lines(OLD, NEW)

    assert lines == [
        DiffLine("hunk", "@@ -1,4 +1,4 @@"),
        DiffLine("same", "journey: shop", 1, 1),
        DiffLine("same", "name: Shop", 2, 2),
        DiffLine("removed", "targets: {nps: 40}", old=3),
        DiffLine("added", "targets: {nps: 45}", new=3),
        DiffLine("same", "touchpoints: []", 4, 4),
    ]


def test_equal_texts_have_no_difference():
    assert diff_lines(OLD, OLD) == []
    assert unified_text([], "v1", "v2") == ""


def test_the_text_is_what_difflib_writes():
    old = "\n".join(f"line {i}" for i in range(20))
    new = old.replace("line 3", "line three").replace("line 15\n", "")

    ours = unified_text(diff_lines(old, new), "version 1", "version 2")
    theirs = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "version 1", "version 2", lineterm=""
    )
    assert ours == "\n".join(theirs) + "\n"


def test_a_version_without_its_text_is_shown_as_yaml():
    assert version_text("journey: shop\n", {"journey": "other"}) == "journey: shop\n"
    assert version_text(None, {"journey": "shop", "name": "商店"}) == (
        "journey: shop\nname: 商店\n"
    )
