"""No lost update in the trip import (issue 10, point 7): a trip edited (or entered) by someone between the
import's validation and its write makes the import refuse, naming the row; nothing is overwritten."""

import pytest
from django.core.management import CommandError, call_command

from tadiao.attraction import services
from tadiao.attraction.models import Trip
from tadiao.attraction.sheets import TRIP_SHEET
from tadiao.audit.models import AuditEvent
from tadiao.imports.models import ImportJob
from tests.attraction.test_import import GOOD, HEADER, _rows
from tests.imports.helpers import error_column, read_rows, write_workbook

pytestmark = pytest.mark.django_db

MODIFIED = "该行对应的外出招商在导入校验之后已被他人修改或删除，为免覆盖他人的修改，未导入任何数据。请重新导入。"
ENTERED = "该行对应的外出招商在导入校验之后已由他人录入，为免覆盖他人的录入，未导入任何数据。请重新导入。"
CHANGED = [[*GOOD[0][:7], "签约 1 个"], GOOD[1]]  # row 2 changes the 深圳 trip's 取得成果; row 3 unchanged


def _edit_on_its_page(reporter, results="签约 2 个，总投资 5 亿元") -> Trip:
    trip = Trip.objects.get(destination="深圳")
    data = {name: getattr(trip, name) for name in services.TRIP_FIELDS} | {"results": results}
    return services.update_trip(trip=trip, data=data, expected_version=trip.version, by=reporter)


def test_a_trip_edited_between_validation_and_write_is_not_overwritten(coordinator, reporter_a, unit_a, unit_b):
    services.import_trips(rows=_rows(*GOOD), by=coordinator)
    plan = services.validate_trips(rows=_rows(*CHANGED), by=coordinator)
    assert not plan.errors and [line for _, line, _, _ in plan.updated] == [2]

    _edit_on_its_page(reporter_a)  # version 1 → 2, while the import is between its phases
    outcome = services.write_trips(plan=plan, by=coordinator)

    assert outcome.errors == {2: [MODIFIED]}
    trip = Trip.objects.get(destination="深圳")
    assert (trip.results, trip.version) == ("签约 2 个，总投资 5 亿元", 2)  # the reporter's edit stands
    assert list(AuditEvent.objects.filter(action="attraction.trip.updated").values_list("actor", flat=True)) == [
        reporter_a.pk]


def test_a_trip_entered_between_validation_and_write_is_not_duplicated_or_overwritten(coordinator, reporter_a,
                                                                                      unit_a, unit_b):
    plan = services.validate_trips(rows=_rows(*GOOD), by=coordinator)
    assert [line for _, line in plan.created] == [2, 3]
    new = plan.created[0][0]  # 东城镇's trip to 深圳: its reporter enters the same trip on the trips page
    services.create_trip(data={k: getattr(new, k) for k in services.TRIP_FIELDS} | {"results": "亲自录入"},
                         by=reporter_a)
    outcome = services.write_trips(plan=plan, by=coordinator)
    assert outcome.errors == {2: [ENTERED]}
    assert list(Trip.objects.values_list("results", flat=True)) == ["亲自录入"]


def test_the_upload_refuses_with_the_row_in_the_error_report(tmp_path, settings, coordinator, reporter_a, unit_a,
                                                             unit_b, monkeypatch):
    """Through the import job (the command runs the same service as the upload's worker task)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    services.import_trips(rows=_rows(*GOOD), by=coordinator)
    validate = services.validate_trips

    def validate_then_someone_edits(**kwargs):
        plan = validate(**kwargs)
        _edit_on_its_page(reporter_a)
        return plan

    monkeypatch.setattr(services, "validate_trips", validate_then_someone_edits)
    path = write_workbook(tmp_path / "外出招商.xlsx", headers=HEADER, rows=CHANGED, sheet=TRIP_SHEET)
    with pytest.raises(CommandError, match="共 2 行，其中 1 行有错误，未导入任何数据。"):
        call_command("import_trips", str(path), "--user", "coordinator")
    job = ImportJob.objects.get(kind="TRIPS", status="FAILED")
    assert error_column(read_rows(job.error_file.read(), TRIP_SHEET)) == {2: MODIFIED, 3: ""}
    assert Trip.objects.get(destination="深圳").results == "签约 2 个，总投资 5 亿元"
