"""No lost update in the economy import (issue 10, point 7): a figure edited, a target changed or a figure
entered by someone between the import's validation and its write makes the import refuse, naming the rows."""

from decimal import Decimal

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.economy import services
from tadiao.economy.models import Figure, Target
from tests.economy.conftest import GDP
from tests.economy.test_import import GOOD, _rows

pytestmark = pytest.mark.django_db

MODIFIED = ("该行对应的经济指标或目标增速在导入校验之后已被他人修改或删除，为免覆盖他人的修改，未导入任何数据。"
            "请重新导入。")
ENTERED = "该行对应的经济指标或目标增速在导入校验之后已由他人录入，为免覆盖他人的录入，未导入任何数据。请重新导入。"
# Row 2 changes 青山市's GDP growth (6.2 → 6.3), row 3 白沙镇's GDP target (7 → 7.5); rows 4 and 5 are unchanged.
CHANGED = [[*GOOD[0][:5], 6.3, 6.5, "6.8", 12], [*GOOD[1][:6], 7.5, "", ""], GOOD[2], GOOD[3]]


def test_a_figure_and_a_target_edited_between_validation_and_write_are_not_overwritten(coordinator, county, town_a):
    services.import_figures(rows=_rows(*GOOD), by=coordinator)
    plan = services.validate_figures(rows=_rows(*CHANGED), by=coordinator)
    assert not plan.errors and plan.rows_changed == 2

    # Meanwhile the office corrects the figure on its page (version 1 → 2) and sets 白沙镇's target.
    seat = Figure.objects.get(region=county)
    services.update_figure(figure=seat, data={name: getattr(seat, name) for name in services.FIGURE_FIELDS}
                           | {"growth": Decimal("6.25")}, expected_version=1, by=coordinator)
    services.set_targets(year=2024, targets={(town_a.pk, GDP): Decimal("8")}, by=coordinator)
    events = AuditEvent.objects.count()

    outcome = services.write_figures(plan=plan, by=coordinator)

    assert outcome.errors == {2: [MODIFIED], 3: [MODIFIED]}
    seat.refresh_from_db()
    assert (seat.growth, seat.version) == (Decimal("6.25"), 2)
    assert Target.objects.get(region=town_a, indicator=GDP).growth == Decimal("8")
    assert AuditEvent.objects.count() == events  # the import recorded nothing


def test_a_figure_entered_between_validation_and_write_is_not_overwritten(coordinator, county, town_a):
    plan = services.validate_figures(rows=_rows(GOOD[0]), by=coordinator)
    assert [line for _, line in plan.created] == [2]
    services.create_figure(data={name: getattr(plan.created[0][0], name) for name in services.FIGURE_FIELDS}
                           | {"value": Decimal("500")}, by=coordinator)
    outcome = services.write_figures(plan=plan, by=coordinator)
    assert outcome.errors == {2: [ENTERED]}
    assert list(Figure.objects.values_list("value", flat=True)) == [Decimal("500")]
