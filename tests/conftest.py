"""Test configuration: hypothesis profiles.

``ci`` (the default) is derandomized, so the suite gives the same answer on
every run and machine; ``explore`` draws fresh examples each run, for hunting
bugs: ``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_properties.py``.
Every failure ``explore`` finds becomes an ``@example`` or a data case.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
