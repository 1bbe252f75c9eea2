"""What every module of the import services shares: the row as read from the sheet, the two exceptions
that stop an import, the limits on reads and writes, and the two helpers built on them (IN lists in chunks, the
optimistic lock before a bulk update)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

IN_CHUNK = 2000  # values per IN (...) list: well under SQLite's and PostgreSQL's bind-parameter limits
BATCH = 500


class ImportFailed(Exception):
    """An import that cannot go on as a whole (no such sheet, headers missing, not permitted, a concurrent
    edit). The message becomes the job's summary."""


class JobLost(Exception):
    """The job was taken from this run (failed by the recovery after its lease lapsed): stop, write nothing."""


@dataclass
class Row:
    """One data row of the sheet: its Excel row number and the raw cells by column key."""

    line: int
    values: dict[str, Any]


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start:start + IN_CHUNK]


def _lock_unchanged(model, read: dict[int, Any], *, field: str, noun: str) -> None:
    """Lock the rows about to be updated (SELECT … FOR UPDATE) and refuse the whole import when one of them
    changed or vanished since it was read: `read` maps a pk to the value of `field` then."""
    for chunk in _chunks(read):
        current = list(model.objects.select_for_update().filter(pk__in=chunk).order_by().values_list("pk", field))
        if len(current) != len(chunk) or any(value != read[pk] for pk, value in current):
            raise ImportFailed(f"导入期间有{noun}被他人修改或删除，未导入任何数据，请稍后重新导入。")
