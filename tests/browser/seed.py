"""The indicator defaults the migrations seed (built-in rates, default warning rules), put back for a browser test:
a transactional test before it empties every table, and the 驾驶舱 and the settings page need them.

(serialized_rollback would restore them but collides with the content types Django recreates after a flush.)"""

import importlib

from django.apps import apps

SEEDS = [
    ("0002_builtin_rates", "forward"),
    ("0004_default_warning_rules", "forward"),
    ("0006_campaign_rates", "forward"),
    ("0007_bond_measure", "add_default_rule"),
    ("0008_lead_follow_up_measure", "add_default_rule"),
]


def seed_indicator_defaults() -> None:
    """Idempotent: each seed is an update_or_create by code."""
    for module, function in SEEDS:
        getattr(importlib.import_module(f"tadiao.indicators.migrations.{module}"), function)(apps, None)
