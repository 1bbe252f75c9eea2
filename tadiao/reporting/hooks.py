"""What happens when a month is closed, for the layers above reporting.

Closing a month publishes it: indicators freeze its snapshot. Reporting sits below indicators and must not import
them, so the reaction is handed in here at app load and called by `services.close_period` inside its transaction —
the snapshot is frozen atomically with the close (an error in a hook rolls the close back).

Who fills it: IndicatorsConfig.ready() registers `indicators.snapshots.freeze`. Not a Django signal on purpose:
the list is explicit, typed, ordered by registration, and a failure is not swallowed.
"""

import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tadiao.org.models import User
    from tadiao.reporting.models import Period


class PeriodClosed(Protocol):
    """Called as fn(period=the closed Period, by=the coordinator, as_of=the snapshot's day)."""

    def __call__(self, *, period: "Period", by: "User | None", as_of: datetime.date) -> object: ...


_on_period_closed: list[PeriodClosed] = []


def on_period_closed(fn: PeriodClosed) -> None:
    """Register `fn` to run inside close_period's transaction, after the close is written and audited."""
    if fn not in _on_period_closed:
        _on_period_closed.append(fn)


def period_closed(*, period: "Period", by: "User | None", as_of: datetime.date) -> None:
    """Run every registered reaction (services.close_period calls this; nothing else should)."""
    for fn in _on_period_closed:
        fn(period=period, by=by, as_of=as_of)
