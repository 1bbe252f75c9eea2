"""`tadiao export_oc4ids`: to a file or to stdout, validated, Chinese errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tadiao.oc4ids.validation import validation_errors

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_oc4ids", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_to_a_file(built, project_b, tmp_path, settings):
    settings.TADIAO_SITE_URL = "http://10.1.2.3:8000"
    target = tmp_path / "oc4ids.json"
    out, err = _run("--as-of", "2026-11-23", "--out", str(target))
    assert out == "" and err == f"已导出 2 个项目（截至 2026-11-23）到 {target}。\n"
    package = json.loads(target.read_text(encoding="utf-8"))
    assert validation_errors(package) == []
    assert package["uri"] == "http://10.1.2.3:8000/projects/export/oc4ids/?as_of=2026-11-23"
    assert package["publisher"] == {"name": "青山市发展和改革局"}  # the region holding every project
    assert sorted(p["title"] for p in package["projects"]) == ["东城大道改造工程", "西湖街道城市更新"]


def test_to_stdout_with_the_prefix_setting(built, settings):
    settings.TADIAO_SITE_URL = ""
    settings.TADIAO_OC4IDS_PREFIX = "oc4ids-qs0001-"
    out, _ = _run("--as-of", "2026-03-05")
    package = json.loads(out)
    assert package["uri"] == "urn:tadiao:oc4ids:oc4ids-qs0001-2026-03-05"
    assert package["projects"][0]["id"] == "oc4ids-qs0001-2024-330999-48-01-123456"
    assert package["projects"][0]["status"] == "preparation"


def test_errors_are_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="--as-of 应为 YYYY-MM-DD 格式的日期"):
        _run("--as-of", "23.11.2026")
    with pytest.raises(CommandError, match="没有可导出的项目"):
        _run()


def test_an_unwritable_file_is_a_chinese_error(built, tmp_path):
    with pytest.raises(CommandError, match="无法写入文件"):
        _run("--out", str(tmp_path / "missing" / "x.json"))


def test_an_invalid_package_is_not_written(built, tmp_path, monkeypatch):
    from tadiao.oc4ids import mapping

    monkeypatch.setitem(mapping.STATUS_OF_STAGE, "STARTED", "underConstruction")
    target = tmp_path / "x.json"
    with pytest.raises(CommandError, match="不符合 OC4IDS 模式") as caught:
        _run("--out", str(target))
    assert "projects/0/status" in str(caught.value)
    assert not target.exists()
    _run("--out", str(target), "--no-validate")
    assert target.exists()
