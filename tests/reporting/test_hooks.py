"""reporting.hooks: closing a month calls what the layers above registered, inside the closing transaction."""

import datetime

import pytest

from tadiao.indicators.models import Snapshot
from tadiao.reporting import hooks, services
from tadiao.reporting.models import Period

pytestmark = pytest.mark.django_db
D = datetime.date


def test_indicators_registered_the_snapshot(coordinator):
    period = services.open_period(month=D(2026, 3, 1), by=coordinator)
    services.close_period(period=period, by=coordinator, today=D(2026, 4, 5))
    # IndicatorsConfig.ready() put snapshots.freeze in the hook: the month's snapshot, as of its last day.
    assert Snapshot.objects.get(period=period).as_of == D(2026, 3, 31)


def test_a_failing_reaction_rolls_the_close_back(coordinator, monkeypatch):
    def refuse(*, period, by, as_of):
        raise RuntimeError("快照失败")

    monkeypatch.setattr(hooks, "_on_period_closed", [*hooks._on_period_closed, refuse])
    period = services.open_period(month=D(2026, 3, 1), by=coordinator)
    with pytest.raises(RuntimeError):
        services.close_period(period=period, by=coordinator, today=D(2026, 4, 5))
    # Same transaction: the month is still open, and the snapshot frozen before the failure is gone too.
    assert Period.objects.get(pk=period.pk).status == Period.Status.OPEN
    assert not Snapshot.objects.filter(period=period).exists()
