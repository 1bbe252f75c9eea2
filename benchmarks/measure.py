"""Timing helpers of the benchmark suite: best-of-N wall time, the SQL a call runs (to count it and to replay it
as the raw-SQL baseline), the peak memory of a call, and the plan of its slowest statement."""

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


@dataclass
class Captured:
    """The statements one call sent to the database, with their parameters, in order."""

    statements: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of `repeat` runs (seconds) and the last result: the least disturbed by the rest of the machine."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def capture(fn: Callable[[], Any]) -> tuple[Captured, Any]:
    captured = Captured()
    with connection.execute_wrapper(captured):
        result = fn()
    return captured, result


def _reads(sql: str) -> bool:
    """A SELECT, with or without common table expressions before it (the warning lights' and the indicators'
    statements start WITH …)."""
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def replay(captured: Captured) -> Callable[[], int]:
    """A function that runs the captured SELECTs again through a bare cursor and fetches every row: the floor of
    what the page's data costs in the database. Writes (session touch, savepoints) are left out."""
    selects = [(sql, params) for sql, params in captured.statements if _reads(sql)]

    def run() -> int:
        rows = 0
        with connection.cursor() as cursor:
            for sql, params in selects:
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
        return rows

    return run


def peak_memory(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Peak Python memory (bytes) allocated while `fn` runs, as tracemalloc counts it: Python objects only, not
    what a C or Rust extension (python-calamine's cells) allocates. Slows `fn` down: time it separately."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def slowest_plan(captured: Captured) -> tuple[float, str, list[str]]:
    """The slowest captured SELECT (timed again alone), its start and the database's plan for it: EXPLAIN QUERY
    PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL."""
    timed = []
    with connection.cursor() as cursor:
        for sql, params in captured.statements:
            if not _reads(sql):
                continue
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timed.append((time.perf_counter() - started, sql, params))
        if not timed:
            return 0.0, "", []
        seconds, sql, params = max(timed, key=lambda t: t[0])
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        cursor.execute(explain + sql, params)
        plan = [" ".join(str(c) for c in row[-1:]) for row in cursor.fetchall()]
    return seconds, sql[:160], plan
