"""The demo county: a realistic spread, dates in stage order, deterministic and idempotent."""

import datetime
import re

from django.db.models import F, Q

from tadiao.audit.models import AuditEvent
from tadiao.demo import data, services
from tadiao.org.models import Region, Unit, User
from tadiao.projects.lifecycle import date_order_errors, project_dates
from tadiao.projects.models import (
    STAGE_PLANNED_FIELD,
    AnnualPlan,
    Category,
    Level,
    Nature,
    Project,
    ProjectApproval,
    ProjectFunding,
    Stage,
    StageTransition,
    stage_rank,
)
from tests.demo.helpers import counts

TODAY = datetime.date(2026, 11, 23)
EXPECTED_STAGES = {
    "RESERVE": 22, "NEGOTIATING": 23, "SIGNED": 14, "APPROVED": 40, "STARTED": 120, "COMPLETED": 39,
    "PRODUCING": 28, "AT_CAPACITY": 14,
}


# --- load_demo ------------------------------------------------------------------------------------------


def test_demo_has_a_county_sized_organisation(demo):
    assert demo.created
    assert demo.units == Unit.objects.count() == 120
    assert demo.leaders == 10
    assert demo.projects == Project.objects.count() == services.PROJECT_COUNT
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert kinds == set(Unit.Kind.values)
    assert Unit.objects.filter(name="市发展和改革局", kind=Unit.Kind.DEPARTMENT).exists()
    # Every unit has its own place in the bulletin order.
    orders = list(Unit.objects.values_list("display_order", flat=True))
    assert len(set(orders)) == len(orders) and min(orders) > 0


def test_region_tree_has_gbt2260_shaped_codes(demo):
    county = Region.objects.get(code=data.COUNTY[0])
    assert county.level == Region.Level.COUNTY
    assert [r.code for r in (county.parent.parent, county.parent, county)] == ["390000", "390700", "390781"]
    assert Region.objects.filter(parent__isnull=True).count() == 1
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP)
    assert townships.count() == len(data.STREETS) + len(data.TOWNS) + len(data.TOWNSHIPS)
    for region in Region.objects.all():
        assert re.fullmatch(r"[0-9]{12}" if region.level == Region.Level.TOWNSHIP else r"[0-9]{6}", region.code)
        assert region.path == (region.parent.path if region.parent else "/") + region.code + "/"
    for region in townships:
        assert region.code.startswith(data.COUNTY[0]) and region.code.endswith("000")
    # Townships and streets report from their own region, everyone else from the county.
    assert not Unit.objects.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.STREET]).exclude(
        region__level=Region.Level.TOWNSHIP).exists()
    assert not Unit.objects.exclude(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.STREET]).exclude(region=county).exists()


def test_projects_cover_every_stage_level_category_and_nature(demo):
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Project.objects.values_list("level", flat=True)) == set(Level.values)
    assert set(Project.objects.values_list("category", flat=True)) == set(Category.values)
    assert set(Project.objects.values_list("nature", flat=True)) == set(Nature.values)
    assert all(n > 0 for n in demo.by_stage.values())
    assert Project.objects.filter(total_investment__gte=10000).count() >= 50  # 亿元以上
    assert Project.objects.filter(total_investment__gte=100000).count() >= 5  # 10亿元以上
    assert Project.objects.filter(total_investment__lt=10000).count() >= 50
    assert Project.objects.exclude(industry=None).values("industry").distinct().count() >= 8


def test_demo_is_deterministic(demo):
    # The same seed and the same `today` always draw the same county: other tests may rely on these counts.
    assert demo.by_stage == EXPECTED_STAGES
    assert Project.objects.filter(is_suspended=True).count() == services.SUSPENDED_COUNT
    assert Project.objects.filter(is_cancelled=True).count() == services.CANCELLED_COUNT


def test_projects_look_like_a_real_ledger(demo):
    projects = Project.objects.all()
    assert projects.filter(name__regex=r"^年产[0-9]+万吨.+项目$").exists()
    assert projects.filter(name__endswith="城市更新").exists()
    assert projects.filter(name__contains="快速化改造工程").exists()
    # Every kind of project of the lists is there (they are dealt like cards, not drawn independently).
    infrastructure = {pattern.split("}")[-1][:4] for pattern, *_ in data.INFRASTRUCTURE}
    assert all(projects.filter(name__contains=word).exists() for word in infrastructure), infrastructure
    # Investors: enterprises for attracted projects, the state (a unit) for government ones.
    assert not projects.exclude(stage=Stage.RESERVE).filter(investor="").exists()
    assert projects.filter(investor_origin__startswith="外资").exists()
    # Government-invested projects skip talks and signing.
    government = projects.filter(category__in=[Category.INFRASTRUCTURE, Category.SOCIAL, Category.URBAN,
                                               Category.ECOLOGY])
    assert not government.filter(stage__in=[Stage.NEGOTIATING, Stage.SIGNED]).exists()
    assert not government.exclude(signed_date=None).exists()
    # Suspended projects are under construction; cancelled ones never got past it; each says why.
    assert not projects.filter(is_suspended=True).exclude(stage=Stage.STARTED).exists()
    assert not projects.filter(is_suspended=True, suspended_reason="").exists()
    assert not projects.filter(is_cancelled=True, cancelled_reason="").exists()
    assert not projects.filter(is_cancelled=True, is_suspended=True).exists()
    # 入库纳统 only once started, with the month it entered.
    started = [s for s in Stage.values if stage_rank(s) >= stage_rank(Stage.STARTED)]
    assert projects.filter(in_statistics=True).count() > 100
    assert not projects.filter(in_statistics=True).exclude(stage__in=started).exists()
    assert not projects.filter(in_statistics=True, statistics_month=None).exists()
    # Codes are shape-valid and unique (the model validators and the database constraint agree).
    coded = projects.exclude(code="")
    assert coded.count() > 100
    for project in projects:
        project.clean_fields(exclude=["unit", "supervising_department", "leader", "industry"])
    assert projects.exclude(leader=None).count() > 20
    tag_names = set(Project.tags.through.objects.values_list("tag__name", flat=True))
    assert {"智能化改造", "专项债", "招商引资", "民生实事"} <= tag_names


def test_every_project_has_its_dates_in_stage_order(demo):
    for project in Project.objects.all():
        actual = project_dates(project)
        planned = {stage: getattr(project, field) for stage, field in STAGE_PLANNED_FIELD.items()}
        assert date_order_errors(actual) == [], project.name
        assert date_order_errors(planned) == [], project.name
        # Actual dates are in the past and exactly the stages reached (cancelled or not).
        for stage in Stage.values:
            day = actual[stage]
            if stage_rank(stage) > stage_rank(project.stage):
                assert day is None, (project.name, stage)
            if day is not None:
                assert day <= TODAY
        assert actual[project.stage] is not None, project.name
        if project.statistics_month:
            assert project.started_date.replace(day=1) <= project.statistics_month <= TODAY


def test_dates_in_order_set_based(demo):
    # The same rule as a query: no project was started before it was signed, approved or completed before start.
    pairs = [("signed_date", "approved_date"), ("approved_date", "started_date"), ("started_date", "completed_date"),
             ("completed_date", "producing_date"), ("producing_date", "at_capacity_date")]
    for earlier, later in pairs:
        assert not Project.objects.filter(**{f"{later}__lt": F(earlier)}).exists(), (earlier, later)


def test_approvals_checklist(demo):
    approvals = ProjectApproval.objects.all()
    assert approvals.count() > 1000
    assert set(approvals.values_list("status", flat=True)) == set(ProjectApproval.Status.values)
    done = approvals.filter(status=ProjectApproval.Status.DONE)
    assert not done.filter(Q(completed_date=None) | Q(applied_date=None)).exists()
    assert not done.filter(completed_date__gt=TODAY).exists()
    assert not approvals.filter(department="").exists()
    # Started projects have finished (or been accepted with gaps for) every item before the start.
    for approval in done.filter(project__started_date__isnull=False).select_related("project"):
        assert approval.completed_date <= approval.project.started_date
    assert not approvals.filter(project__stage__in=[Stage.RESERVE, Stage.NEGOTIATING]).exists()
    assert not approvals.filter(project__started_date__isnull=False, status__in=[
        ProjectApproval.Status.NOT_STARTED, ProjectApproval.Status.IN_PROGRESS]).exists()


def test_annual_plans_funding_and_transitions(demo):
    assert demo.plan_years == [2025, 2026]
    assert AnnualPlan.objects.filter(year=2025).count() > 50
    assert AnnualPlan.objects.filter(year=2026).count() > 100
    for project in Project.objects.prefetch_related("annual_plans", "fundings"):
        plans = list(project.annual_plans.all())
        assert sum(p.planned_investment for p in plans) <= project.total_investment
        for funding in project.fundings.all():
            assert funding.spent <= funding.in_place <= funding.planned
        assert sum(f.planned for f in project.fundings.all()) <= project.total_investment + 1
    assert ProjectFunding.objects.count() > 50
    assert {f for f in ProjectFunding.objects.values_list("source", flat=True)} >= {"SPECIAL_BOND", "SELF_RAISED"}
    bonded = set(ProjectFunding.objects.filter(source="SPECIAL_BOND").values_list("project_id", flat=True))
    tagged = set(Project.objects.filter(tags__name="专项债").values_list("id", flat=True))
    assert bonded <= tagged
    # Every stage reached after the first is a recorded transition with its date.
    advances = StageTransition.objects.filter(kind=StageTransition.Kind.ADVANCE)
    assert advances.count() > 500
    assert not advances.filter(actual_date=None).exists()
    assert StageTransition.objects.filter(kind=StageTransition.Kind.SUSPEND).count() == services.SUSPENDED_COUNT
    assert StageTransition.objects.filter(kind=StageTransition.Kind.CANCEL).count() == services.CANCELLED_COUNT


def test_demo_users_have_one_role_each_and_no_password_yet(demo):
    users = {u.username: u for u in User.objects.select_related("unit", "leader")}
    assert set(users) == {username for username, *_ in data.DEMO_USERS}
    assert users["diaodu"].is_coordinator and users["diaodu"].unit.name == "市发展和改革局"
    assert users["lingdao"].is_leader and users["lingdao"].leader is not None
    assert users["shenji"].is_auditor and users["shenji"].roles == ["auditor"]
    assert users["tianbao"].is_reporter and users["tianbao"].unit.projects.exists()
    assert not any(u.has_usable_password() for u in users.values())


def test_load_demo_records_one_audit_event(demo):
    events = AuditEvent.objects.filter(action="demo.loaded")
    assert events.count() == 1
    event = events.get()
    assert event.actor is None and event.actor_name == "系统"
    assert event.changes["项目"] == services.PROJECT_COUNT
    assert event.changes["基准日期"] == "2026-11-23"


def test_load_demo_is_idempotent(demo):
    before = counts()
    again = services.load_demo(today=TODAY)
    assert not again.created
    assert counts() == before
    assert again.projects == demo.projects and again.units == demo.units
    # A later "today" changes nothing either: the demo is there.
    services.load_demo(today=TODAY + datetime.timedelta(days=40))
    assert counts() == before


def test_bulletin_letterhead_is_the_demo_citys(demo):
    from tadiao.bulletins.queries import office_settings

    office = office_settings()
    assert (office.number_prefix, office.issuer, office.region_name) == ("安澜发改", "安澜市发展和改革局", "全市")
