"""Validation of a package against the vendored OC4IDS schema, offline: the package schema's `$ref` to the project
schema's URL is served from tadiao/oc4ids/schema/ by a `referencing` registry."""

import datetime
import functools
import json
from pathlib import Path
from urllib.parse import urlparse

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).parent / "schema"
PACKAGE_SCHEMA = "project-package-schema.json"
PROJECT_SCHEMA = "project-schema.json"

_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time: a date, a time and an offset (datetime.fromisoformat, plus the offset required)."""
    if not isinstance(value, str):
        return True
    if "T" not in value:
        raise ValueError("没有时间部分")
    return datetime.datetime.fromisoformat(value).tzinfo is not None


@_formats.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlparse(value).scheme)


def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def _validator() -> Draft4Validator:
    package = load_schema(PACKAGE_SCHEMA)
    project = load_schema(PROJECT_SCHEMA)
    registry = Registry().with_resources(
        (schema["id"], DRAFT4.create_resource(schema)) for schema in (package, project)
    )
    return Draft4Validator(package, registry=registry, format_checker=_formats)


def validation_errors(package: dict, *, limit: int = 20) -> list[str]:
    """Up to `limit` messages, each "path: message"; an empty list when the package is valid."""
    errors = []
    for error in _validator().iter_errors(package):
        where = "/".join(str(part) for part in error.absolute_path) or "（根）"
        errors.append(f"{where}: {error.message}")
        if len(errors) >= limit:
            break
    return errors

