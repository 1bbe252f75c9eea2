"""Import sheets owned by other apps (外出招商, 经济指标 …): the app keeps its columns, its row rules and its
bulk write; the imports framework keeps the rest (upload gate, job, progress, header matching, the error
workbook, the audit of the job). One entry per ImportJob.Kind, named by dotted path so that this module does
not import the apps (they import the framework's parsing helpers).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.module_loading import import_string

from tadiao.lib.xlsx import XlsxSheet

# The audit's actor name for an import run at the command line without --user.
CLI_ACTOR = "命令行导入"


class SheetRow(Protocol):
    """A data row as the framework hands it over: its Excel line and the raw cells by column key."""

    line: int
    values: dict[str, Any]


@dataclass
class SheetOutcome:
    """What an import did (the framework's sheets and the apps' alike), or, when `errors` is not empty, why it
    wrote nothing (Excel line → messages)."""

    total: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class AppSheet:
    """An app's import sheet.

    run(rows=..., by=...) validates every row and writes all or nothing, returning a SheetOutcome; it raises
    the app's own exception (listed in `refusals`) when the whole import is refused. With `needs_today` it is
    called with today=... too (the day the import was asked for: dates after it are refused). template(example_unit)
    returns the template's data sheet and its notes (说明). may_import(user) says who may upload it.
    """

    sheet: str
    columns: dict[str, tuple[str, ...]]
    optional: dict[str, tuple[str, ...]]
    run: Callable[..., SheetOutcome]
    template: Callable[[str], tuple[XlsxSheet, list[tuple[str, str]]]]
    may_import: Callable[[Any], bool]
    noun: str
    measure: str = "个"
    refusals: tuple[type[Exception], ...] = ()
    needs_today: bool = False


# ImportJob.Kind value → dotted path of the app's AppSheet.
APP_SHEETS: dict[str, str] = {
    "TRIPS": "tadiao.attraction.import_sheet.TRIP_IMPORT",
    "LEADS": "tadiao.attraction.lead_import.LEAD_IMPORT",
    "ECONOMY": "tadiao.economy.import_sheet.ECONOMY_IMPORT",
    "APPROVALS": "tadiao.imports.approval_import.APPROVAL_IMPORT",
}


def app_sheet(kind: str) -> AppSheet | None:
    path = APP_SHEETS.get(kind)
    return import_string(path) if path else None


def app_kinds_for(user) -> list[str]:
    return [kind for kind in APP_SHEETS if app_sheet(kind).may_import(user)]

