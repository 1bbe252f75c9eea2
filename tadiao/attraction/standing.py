"""零的突破 and 连续空白 on the 三项工作 page: the year's blank units compared with closed months' snapshots.

Snapshots belong to indicators, a layer above attraction, so attraction does not read them itself: indicators
hands in the comparison at app load.

    # tadiao/indicators/apps.py, in IndicatorsConfig.ready()
    standing.set_source(snapshots.work_items_standing)

Who fills it: IndicatorsConfig.ready(). Without a source (never in a running system) the page shows no comparison.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tadiao.org.models import Unit


@dataclass
class Standing:
    """What the page shows of the comparison.

    `comparison`: the snapshot compared with (indicators.queries.Comparison: .chosen, .missing); `snapshot_choices`:
    the closed months one may choose; `standing`: {"compared_to", "broke_zero", "streaks"} or None when the period is
    not year-to-date (snapshots hold year-to-date lists only) or the chosen month has no snapshot."""

    comparison: Any = None
    snapshot_choices: Iterable[Any] = field(default_factory=list)
    standing: dict | None = None


class StandingSource(Protocol):
    def __call__(
        self,
        units: list[Unit],
        *,
        blank_ids: list[int],
        start: datetime.date,
        end: datetime.date,
        compare: str | None,
    ) -> Standing: ...


_source: StandingSource | None = None


def set_source(fn: StandingSource) -> None:
    """Hand in the snapshot comparison (one source: a second call replaces the first)."""
    global _source
    _source = fn


def standing(
    units: list[Unit], *, blank_ids: list[int], start: datetime.date, end: datetime.date, compare: str | None
) -> Standing:
    """The comparison of the units' blank list for start–end with the snapshots (`compare`: "YYYY-MM" or None)."""
    if _source is None:
        return Standing()
    return _source(units, blank_ids=blank_ids, start=start, end=end, compare=compare)
