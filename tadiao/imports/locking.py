"""The no-lost-update rule every import's write phase keeps (the ledger's, and the apps' sheets): the rows
validated against are locked and compared with what was read, inside the write's transaction."""

from collections.abc import Iterable
from typing import Any

IN_CHUNK = 2000  # values per IN (...) list: under SQLite's and PostgreSQL's bind-parameter limits

MODIFIED_MEANWHILE = ("该行对应的{noun}在导入校验之后已被他人修改或删除，为免覆盖他人的修改，未导入任何数据。"
                      "请重新导入。")
CREATED_MEANWHILE = "该行对应的{noun}在导入校验之后已由他人录入，为免覆盖他人的录入，未导入任何数据。请重新导入。"


def changed_since_read(model, read: dict[int, Any], *, field: str = "version") -> set[int]:
    """Lock the rows of `read` (pk → the value of `field` when validated) with SELECT … FOR UPDATE and return
    the pks whose value differs now, or that are gone. Call inside the write's transaction: on PostgreSQL the
    lock holds the rows until the write commits; on SQLite the IMMEDIATE transaction already serialises writers."""
    pks = list(read)
    changed: set[int] = set()
    for start in range(0, len(pks), IN_CHUNK):
        chunk = pks[start:start + IN_CHUNK]
        current = dict(model.objects.select_for_update().filter(pk__in=chunk).order_by().values_list("pk", field))
        changed.update(pk for pk in chunk if pk not in current or current[pk] != read[pk])
    return changed


def row_errors(lines: Iterable[int], message: str) -> dict[int, list[str]]:
    """The same error for each Excel line, as SheetOutcome.errors."""
    return {line: [message] for line in sorted(set(lines))}
