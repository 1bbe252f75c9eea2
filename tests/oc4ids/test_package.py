"""The package of a constructed project, every figure computed by hand; private fields stay out; the vendored schema
accepts it and refuses a broken one; the number of queries does not grow with the projects."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.oc4ids.package import EmptyPackage, build_package
from tadiao.oc4ids.validation import validation_errors
from tadiao.projects.models import Project
from tests.conftest import TODAY
from tests.factories import ProjectFactory
from tests.oc4ids.conftest import PHONE, PROBLEM, PROGRESS, full_project, info

pytestmark = pytest.mark.django_db

CST = "+08:00"


def _only(package: dict) -> dict:
    assert len(package["projects"]) == 1
    return package["projects"][0]


def _milestones(project: dict) -> dict[str, dict]:
    return {m["id"]: m for m in project["milestones"]}


def test_the_package_header():
    ProjectFactory()
    package = build_package(Project.objects.all(), info=info())
    assert {k: v for k, v in package.items() if k != "projects"} == {
        "uri": "urn:test:package",
        "publishedDate": f"2026-11-23T09:30:00{CST}",
        "publisher": {"name": "青山市发展和改革局"},
        "version": "0.9",
    }


def test_identity_status_classification_and_parties(built, unit_a, supervisor):
    project = _only(build_package(Project.objects.all(), info=info()))
    assert project["id"] == "oc4ids-test-2024-330999-48-01-123456"
    assert project["identifiers"] == [
        {"id": "2024-330999-48-01-123456", "scheme": "CN-TZXM"},
        {"id": str(built.pk), "scheme": "tadiao"},
    ]
    assert project["title"] == "东城大道改造工程" and project["description"] == "改造道路 5.2 公里"
    assert project["status"] == "implementation"  # 开工 (suspended projects stay in implementation)
    assert project["type"] == "rehabilitation"  # 改建
    assert project["sector"] == ["transport.road"]  # GB/T 4754 E4813 市政道路工程建筑
    assert {"scheme": "GB/T 4754-2017", "id": "E4813"} in project["additionalClassifications"]
    assert {"scheme": "tadiao-category", "id": "INFRASTRUCTURE", "description": "基础设施"} in project[
        "additionalClassifications"
    ]
    assert project["publicAuthority"] == {"id": f"unit-{unit_a.pk}", "name": "东城镇"}
    assert project["parties"] == [
        {"id": f"unit-{unit_a.pk}", "name": "东城镇", "roles": ["publicAuthority"],
         "address": {"region": "青山市", "countryName": "中国"}},
        {"id": f"unit-{supervisor.pk}", "name": "青山市交通运输局", "roles": ["supervisingDepartment"],
         "address": {"region": "青山市", "countryName": "中国"}},
        {"id": "investor", "name": "青山交通投资集团有限公司", "roles": ["funder"]},
    ]
    assert project["locations"] == [
        {"id": "1", "description": "项目位置", "address": {"region": "青山市", "countryName": "中国"},
         "geometry": {"type": "Point", "coordinates": [120.654321, 30.123456]}}
    ]


def test_amounts_are_yuan(built):
    project = _only(build_package(Project.objects.all(), info=info()))
    budget = project["budget"]
    assert budget["amount"] == {"amount": 123_456_700, "currency": "CNY"}  # 12 345.67 万元
    plans, sources = budget["budgetBreakdowns"]
    assert [(b["id"], b["amount"]["amount"]) for b in plans["budgetBreakdown"]] == [
        ("2026", 10_005_000),  # 1 000.50 万元
        ("2027", 20_000_000),
    ]
    assert plans["budgetBreakdown"][0]["period"] == {
        "startDate": f"2026-01-01T00:00:00{CST}", "endDate": f"2026-12-31T23:59:59{CST}"}
    # 专项债 3 000 万元; the bank loan planned at 0 is left out.
    assert [(b["id"], b["amount"]["amount"]) for b in sources["budgetBreakdown"]] == [("SPECIAL_BOND", 30_000_000)]
    # January approved 200.00, February submitted 300.25; March is a draft, April returned, May zero, December
    # after the as-of month: none of these.
    assert project["transactions"] == [
        {"id": "2026-01", "date": f"2026-01-31T23:59:59{CST}", "value": {"amount": 2_000_000, "currency": "CNY"}},
        {"id": "2026-02", "date": f"2026-02-28T23:59:59{CST}", "value": {"amount": 3_002_500, "currency": "CNY"}},
    ]
    assert isinstance(budget["amount"]["amount"], int)


def test_milestones_from_stage_dates_and_approvals(built):
    project = _only(build_package(Project.objects.all(), info=info()))
    milestones = _milestones(project)
    assert milestones["stage-approved"] == {
        "id": "stage-approved", "title": "立项", "type": "approval", "code": "projectApproval",
        "dateMet": f"2026-01-20T00:00:00{CST}", "status": "met"}
    assert milestones["stage-started"] == {
        "id": "stage-started", "title": "开工", "type": "delivery", "code": "commencement",
        "dueDate": f"2026-03-01T00:00:00{CST}", "dateMet": f"2026-03-10T00:00:00{CST}", "status": "met"}
    # planned 2026-10-31, not completed by 2026-11-23
    assert milestones["stage-completed"]["status"] == "notMet" and "dateMet" not in milestones["stage-completed"]
    assert milestones["stage-producing"]["status"] == "scheduled"  # planned 2027-05-01
    assert "stage-signed" not in milestones  # neither planned nor reached
    kinds = {m["title"]: m for m in project["milestones"] if m["id"].startswith("approval-")}
    assert set(kinds) == {"环评批复", "施工许可", "节能审查"}  # 安全评价: 未办 with no planned date
    assert kinds["环评批复"]["status"] == "met" and kinds["环评批复"]["dateMet"] == f"2026-02-01T00:00:00{CST}"
    assert kinds["环评批复"]["description"] == "前期手续：已办结；办理部门：青山市生态环境局"
    assert kinds["施工许可"]["status"] == "partiallyMet"  # 容缺受理
    assert kinds["节能审查"]["status"] == "scheduled"  # 办理中, planned 2026-12-31
    assert project["period"] == {"startDate": f"2026-03-01T00:00:00{CST}", "endDate": f"2026-10-31T23:59:59{CST}"}
    assert project["implementationPeriod"] == {"startDate": f"2026-03-10T00:00:00{CST}"}
    assert "completion" not in project


def test_as_of_before_the_start(built):
    project = _only(build_package(Project.objects.all(), info=info(as_of=datetime.date(2026, 3, 5))))
    assert project["status"] == "preparation"  # 立项 on 2026-01-20, started only on 2026-03-10
    started = _milestones(project)["stage-started"]
    assert started["status"] == "notMet" and "dateMet" not in started  # due 2026-03-01 had passed
    assert [t["id"] for t in project["transactions"]] == ["2026-01", "2026-02"]
    assert "implementationPeriod" not in project
    january = _only(build_package(Project.objects.all(), info=info(as_of=datetime.date(2026, 1, 31))))
    assert [t["id"] for t in january["transactions"]] == ["2026-01"]
    assert january["status"] == "preparation"


def test_a_cancelled_project(built):
    Project.objects.filter(pk=built.pk).update(is_cancelled=True, cancelled_reason="企业投资计划改变的内部说明")
    project = _only(build_package(Project.objects.all(), info=info()))
    assert project["status"] == "cancelled"
    assert _milestones(project)["stage-producing"]["status"] == "notMet"  # will not be met
    assert "企业投资计划改变" not in json.dumps(project, ensure_ascii=False)


def test_a_bare_project_has_no_empty_lists(unit_a):
    bare = ProjectFactory(unit=unit_a, investor="", industry_code="", category="SERVICE", nature="CONTINUING")
    project = _only(build_package(Project.objects.all(), info=info()))
    assert project["id"] == f"oc4ids-test-{bare.pk}"
    assert project["identifiers"] == [{"id": str(bare.pk), "scheme": "tadiao"}]
    for key in ("sector", "type", "milestones", "transactions", "description", "period"):
        assert key not in project, key
    assert project["locations"] == [{"id": "1", "address": {"region": "青山市", "countryName": "中国"}}]
    assert validation_errors(build_package(Project.objects.all(), info=info())) == []


def test_private_fields_stay_out(built):
    text = json.dumps(build_package(Project.objects.all(), info=info()), ensure_ascii=False)
    for private in (PHONE, PROBLEM, PROGRESS, "13800001111", "环保管控停工", "数据有误请核实", "张填报"):
        assert private not in text, private
    assert "东城大道改造工程" in text  # the check reads the real text


def test_the_vendored_schema_accepts_the_package_and_refuses_a_broken_one(built):
    package = build_package(Project.objects.all(), info=info())
    assert validation_errors(package) == []
    package["projects"][0]["status"] = "underConstruction"
    package["projects"][0]["budget"]["amount"]["amount"] = "123"
    package["publishedDate"] = "2026-11-23"
    del package["publisher"]
    errors = validation_errors(package)
    assert any(e.startswith("projects/0/status:") for e in errors), errors
    assert any(e.startswith("projects/0/budget/amount/amount:") for e in errors), errors
    assert any(e.startswith("publishedDate:") for e in errors), errors
    assert any("'publisher' is a required property" in e for e in errors), errors


def test_no_project_is_an_error():
    with pytest.raises(EmptyPackage, match="至少要包含一个项目"):
        build_package(Project.objects.none(), info=info())


def test_query_count_is_flat(unit_a, unit_b):
    """Five queries at N and 2N projects: (1) the projects with unit, region, supervising department, industry;
    (2) annual plans; (3) approvals with their checklist item; (4) funding; (5) the reported months."""
    counts = []
    for n in (3, 6):
        while Project.objects.count() < n:
            i = Project.objects.count()
            full_project(unit_a if i % 2 else unit_b, i)
        with CaptureQueriesContext(connection) as ctx:
            package = build_package(Project.objects.all(), info=info(as_of=TODAY))
        assert len(package["projects"]) == n
        assert all(len(p["transactions"]) == 3 and len(p["milestones"]) == 3 for p in package["projects"])
        counts.append(len(ctx.captured_queries))
    assert counts == [5, 5], counts
