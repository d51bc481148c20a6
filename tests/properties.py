"""Hypothesis profiles for the property tests (tests/*/test_*_properties.py).

`ci` (the default, in `make test`): a fixed number of examples, derandomized so a run
fails the same way twice, no example database, no deadline on a shared machine.
`fuzz` (`make fuzz`, HYPOTHESIS_PROFILE=fuzz): many more examples, a fresh random run.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=150, derandomize=True, database=None, deadline=None)
settings.register_profile("fuzz", max_examples=5000, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
