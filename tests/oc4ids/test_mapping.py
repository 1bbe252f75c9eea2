"""The mapping's codes come from the vendored codelists; the pure conversions, by hand."""

import csv
import datetime
import hashlib
import re
from decimal import Decimal

import pytest

from tadiao.oc4ids import mapping
from tadiao.oc4ids.validation import SCHEMA_DIR, load_schema
from tadiao.projects.models import Category, Nature, Stage


def _codes(name: str) -> set[str]:
    with open(SCHEMA_DIR / "codelists" / f"{name}.csv", encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def test_every_code_is_in_its_codelist():
    assert set(mapping.STATUS_OF_STAGE.values()) | {mapping.CANCELLED_STATUS} <= _codes("projectStatus")
    assert set(mapping.STATUS_OF_STAGE) == set(Stage.values)
    assert set(mapping.TYPE_OF_NATURE.values()) <= _codes("projectType")
    assert set(mapping.TYPE_OF_NATURE) == set(Nature.values) - {Nature.CONTINUING}
    sectors = set(mapping.SECTOR_OF_INDUSTRY.values()) | set(mapping.SECTOR_OF_CATEGORY.values())
    assert sectors <= _codes("projectSector")
    assert set(mapping.SECTOR_OF_CATEGORY) <= set(Category.values)
    kinds = {k for k, _ in mapping.MILESTONE_OF_STAGE.values()} | {mapping.APPROVAL_MILESTONE[0]}
    assert kinds <= _codes("milestoneType")
    codes = {c for _, c in mapping.MILESTONE_OF_STAGE.values() if c} | {mapping.APPROVAL_MILESTONE[1]}
    assert codes <= _codes("milestoneCode")
    assert {"met", "notMet", "scheduled", "partiallyMet"} == _codes("milestoneStatus")
    # supervisingDepartment is our own code (partyRole is an open codelist); the others are the standard's.
    assert {mapping.ROLE_PUBLIC_AUTHORITY, mapping.ROLE_FUNDER} <= _codes("partyRole")
    assert mapping.ROLE_SUPERVISING not in _codes("partyRole")


def test_the_closed_codelists_match_the_schema_enums():
    properties = load_schema("project-schema.json")["properties"]
    assert set(properties["status"]["enum"]) == _codes("projectStatus")
    assert set(properties["type"]["enum"]) == _codes("projectType")


@pytest.mark.parametrize(("code", "category", "sector"), [
    ("E4813", "INFRASTRUCTURE", "transport.road"),
    ("D4416", "INDUSTRY", "energy.solar"),  # the longest prefix wins over D44
    ("D4420", "INDUSTRY", "energy"),
    ("G5411", "INFRASTRUCTURE", "transport.urban"),  # G541 over G54
    ("Q8514", "SOCIAL", "health"),
    ("C3562", "INDUSTRY", None),  # manufacturing: no sector
    ("", "AGRICULTURE", "economy"),
    ("", "ECOLOGY", "naturalResources"),
    ("", "URBAN", None),
    ("C3562", "ECOLOGY", "naturalResources"),  # an unmapped code falls back on the category
])
def test_sector_of(code, category, sector):
    assert mapping.sector_of(industry_code=code, category=category) == sector


def test_stage_as_of():
    dates = {Stage.SIGNED: datetime.date(2026, 1, 5), Stage.APPROVED: datetime.date(2026, 2, 1),
             Stage.STARTED: datetime.date(2026, 4, 1)}
    on = datetime.date
    assert mapping.stage_as_of(stage=Stage.STARTED, dates=dates, as_of=on(2026, 4, 1)) == Stage.STARTED
    assert mapping.stage_as_of(stage=Stage.STARTED, dates=dates, as_of=on(2026, 3, 31)) == Stage.APPROVED
    assert mapping.stage_as_of(stage=Stage.STARTED, dates=dates, as_of=on(2026, 1, 4)) == Stage.RESERVE
    # a stage without its date is taken as reached
    assert mapping.stage_as_of(stage=Stage.NEGOTIATING, dates={}, as_of=on(2020, 1, 1)) == Stage.NEGOTIATING


def test_amounts_and_dates():
    assert mapping.yuan(Decimal("12345.67")) == 123_456_700
    assert mapping.yuan(Decimal("0.01")) == 100
    assert mapping.yuan(Decimal("0")) == 0
    assert mapping.day_start(datetime.date(2026, 2, 28)) == "2026-02-28T00:00:00+08:00"
    assert mapping.month_transaction_date(datetime.date(2024, 2, 1)) == "2024-02-29T23:59:59+08:00"
    assert mapping.project_id(prefix="p-", code="", pk=7) == "p-7"
    assert mapping.project_id(prefix="p-", code="2024-330999-48-01-123456", pk=7) == "p-2024-330999-48-01-123456"


def test_publisher_name(settings):
    settings.TADIAO_OC4IDS_PUBLISHER = ""
    assert mapping.publisher_name("青山市") == "青山市发展和改革局"
    settings.TADIAO_OC4IDS_PUBLISHER = "青山市重点项目建设领导小组办公室"
    assert mapping.publisher_name("青山市") == "青山市重点项目建设领导小组办公室"


def test_the_vendored_schema_is_the_one_its_readme_names():
    """The files are the standard's, unchanged: their sha256 and version are those the README records."""
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    for name in ("project-package-schema.json", "project-schema.json"):
        digest = hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest()
        assert re.search(rf"{re.escape(name)} `{digest}`", readme), name
        assert load_schema(name)["id"].endswith(f"/0__9__5/{name}")
    package = load_schema("project-package-schema.json")
    assert package["properties"]["projects"]["items"]["$ref"] == load_schema("project-schema.json")["id"]
    assert re.fullmatch(package["properties"]["version"]["pattern"], mapping.OC4IDS_VERSION)
    assert "**0.9.5**" in readme
