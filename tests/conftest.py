"""Shared test settings."""

import os

from hypothesis import HealthCheck, settings

# No per-example deadline: CI machines are busy, and a property is about values, not time.
settings.register_profile("default", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
