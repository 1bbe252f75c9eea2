"""The 单位 sheet through `tadiao import_units`: create, update, re-import, every row error."""

import io

import pytest
from django.core.management import CommandError, call_command

from tadiao.audit.models import AuditEvent
from tadiao.imports.models import ImportJob
from tadiao.org.models import Unit
from tests.factories import RegionFactory
from tests.imports.helpers import UNIT_HEADERS, error_column, read_rows, write_workbook


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_units", str(path), *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def township(region):
    return RegionFactory(code="330999101000", name="东城镇", level="TOWNSHIP", parent=region)


def test_units_are_created_and_updated(tmp_path, sysadmin, unit_a, township):
    # unit_a (东城镇, 乡镇, order 1) is updated; the code of the county comes as an Excel number.
    path = write_workbook(tmp_path / "单位.xlsx", sheet="单位",
                          headers=[" 单位 名称", "单位类型", "所属区划代码", "排序"],
                          rows=[["东城镇", "乡镇", "330999101000", 5], ["南山镇", "乡镇", 330999, 3],
                                ["市交通运输局", "部门", "330999", ""]])

    assert run(path, "--user", "sysadmin") == "共 3 行：新增 2 个单位，更新 1 个，未变化 0 个。"

    unit_a.refresh_from_db()
    assert (unit_a.region, unit_a.display_order, unit_a.kind) == (township, 5, Unit.Kind.TOWNSHIP)
    south = Unit.objects.get(name="南山镇")
    assert (south.kind, south.region.code, south.display_order, south.is_active) == ("TOWNSHIP", "330999", 3, True)
    assert Unit.objects.get(name="市交通运输局").display_order == 0
    updated = AuditEvent.objects.get(action="org.unit.updated")
    assert updated.changes == {"region": ["青山市（330999）", "东城镇（330999101000）"], "display_order": [1, 5]}
    assert updated.actor == sysadmin
    created = AuditEvent.objects.get(action="org.unit.created", object_id=str(south.pk))
    assert created.changes == {"name": "南山镇", "kind": "TOWNSHIP", "region": "青山市（330999）", "display_order": 3}
    assert AuditEvent.objects.get(action="imports.units.imported").changes["created"] == 2

    # The same file again: nothing to do.
    assert run(path, "--user", "sysadmin") == "共 3 行：新增 0 个单位，更新 0 个，未变化 3 个。"
    assert AuditEvent.objects.filter(action__startswith="org.unit.").count() == 3


def test_unit_row_errors(tmp_path, sysadmin, unit_a):
    path = write_workbook(tmp_path / "单位.xlsx", sheet="单位", headers=UNIT_HEADERS, rows=[
        ["南山镇", "乡镇", "330999", 1],
        ["北山镇", "村", "110000", 2.5],
        ["南山镇", "", "", -1],
        ["", "乡镇", "3309", ""],
    ])
    with pytest.raises(CommandError, match="共 4 行，其中 3 行有错误，未导入任何数据。"):
        run(path, "--user", "sysadmin")
    assert not Unit.objects.filter(name="南山镇").exists()
    assert not AuditEvent.objects.filter(action__startswith="org.").exists()
    reasons = error_column(read_rows(tmp_path / "单位.errors.xlsx", "单位"))
    assert reasons == {
        2: "",
        3: "\n".join([
            "单位类型：“村”不是有效的选项，可填：乡镇、街道、部门、园区、国企。",
            "所属区划代码“110000”不存在，请先在行政区划中添加。",
            "排序：应填写整数（2.5）。",
        ]),
        4: "与第 2 行的单位名称重复。\n单位类型不能为空。\n所属区划代码不能为空。\n排序：不能小于 0（-1）。",
        5: "单位名称不能为空。\n所属区划代码：“3309”不是有效的区划代码（应为 6 位或 12 位数字）。",
    }
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_only_the_system_administrator_imports_units(tmp_path, coordinator, region):
    path = write_workbook(tmp_path / "单位.xlsx", sheet="单位", headers=UNIT_HEADERS,
                          rows=[["南山镇", "乡镇", "330999", 1]])
    with pytest.raises(CommandError, match="用户 coordinator 无权导入单位数据"):
        run(path, "--user", "coordinator")
    # The operator at the server's command line may.
    assert run(path).startswith("共 1 行：新增 1 个单位")
    assert AuditEvent.objects.get(action="org.unit.created").actor_name == "命令行导入"
