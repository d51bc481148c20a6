"""The one template environment: strict about undefined names, with the `utc` filter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jinja2
import pytest

from web.templating import environment, utc


def test_utc_shows_any_moment_in_utc():
    shanghai = timezone(timedelta(hours=8))

    assert utc(datetime(2026, 7, 1, 8, 0, tzinfo=shanghai)) == "2026-07-01 00:00:00"


def test_an_undefined_name_is_an_error_not_a_blank():
    with pytest.raises(jinja2.UndefinedError):
        environment.from_string("{{ missing }}").render()


def test_every_console_template_extends_the_base_and_fills_content():
    names = [n for n in environment.list_templates() if n.startswith("console/")]

    assert "console/sign_in.html" in names and "console/password.html" in names
    for name in names:
        if name == "console/base.html":
            continue
        source = environment.loader.get_source(environment, name)[0]
        assert '{% extends "console/base.html" %}' in source, name
        assert "{% block content %}" in source, name
