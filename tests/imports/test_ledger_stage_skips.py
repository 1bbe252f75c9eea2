"""Issue 15 ③ in the ledger import: a reporter's row may not move a project past a stage without its date, nor to
开工 before the required approvals are done (the stage form's rule, which the export → edit → import round trip would
otherwise get around); the office's import goes on and leaves the skipped stage without a date."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from tadiao.projects.models import ApprovalKind, Project, ProjectApproval, Stage
from tests.factories import ProjectFactory
from tests.imports.helpers import LEDGER_HEADERS, error_column, ledger_row, read_rows, write_workbook

pytestmark = pytest.mark.django_db
D = datetime.date


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_ledger", str(path), *args, stdout=out)
    return out.getvalue().strip()


def test_a_reporters_row_skipping_approved_is_refused_and_the_office_may_import_it(
    tmp_path, unit_a, reporter_a, coordinator
):
    signed = ProjectFactory(name="东城镇新材料项目", unit=unit_a, stage=Stage.SIGNED, signed_date=D(2026, 1, 10))
    ready = ProjectFactory(name="东城镇按序项目", unit=unit_a, stage=Stage.APPROVED, signed_date=D(2026, 1, 10),
                           approved_date=D(2026, 2, 20))
    for kind in ApprovalKind.objects.filter(required_before_start=True):
        ProjectApproval.objects.create(project=ready, kind=kind, status="WITH_GAPS")
    path = write_workbook(tmp_path / "a.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="东城镇新材料项目", 责任单位="东城镇", 签约日期="2026-01-10", 开工日期="2026-11-02"),
        ledger_row(项目名称="东城镇按序项目", 责任单位="东城镇", 签约日期="2026-01-10", 立项日期="2026-02-20",
                   开工日期="2026-11-02"),
    ])
    with pytest.raises(CommandError, match="其中 1 行有错误"):
        run(path, "--user", "reporter_a")
    reasons = error_column(read_rows(tmp_path / "a.errors.xlsx", "项目"))
    assert reasons == {
        2: "不能导入为开工：立项没有实际日期；开工前须办结的前期手续未办结：用地规划许可（未办结）、"
        "土地出让/不动产权证（未办结）、环评批复（未办结）、工程规划许可（未办结）、施工许可（未办结）。"
        "请补齐日期、办结（或容缺受理）前期手续后再导入，或由重点项目办（调度员）导入。",
        3: "",
    }
    assert Project.objects.get(pk=signed.pk).stage == Stage.SIGNED

    assert run(path, "--user", "coordinator").startswith("共 2 行：新增 0 个项目，更新 2 个")
    signed.refresh_from_db()
    assert (signed.stage, signed.approved_date, signed.started_date) == (Stage.STARTED, None, D(2026, 11, 2))
