"""Fixtures of the import tests."""

import pytest


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once (django.tasks picks the settings change up through setting_changed)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
