"""The demo's newer features: 招商引资 (trips, leads and their log, recognition), campaigns ("三个一批", 专项债),
problems and meetings, 经济指标 — realistic spreads, and the snapshots show blank units, units breaking zero, blank
streaks and overdue problems."""

import datetime
import itertools
from collections import Counter

from django.db.models import Count, F

from tadiao.attraction import queries as attraction
from tadiao.attraction.models import FollowUp, Lead, Rank, Recognition, Trip
from tadiao.audit.models import AuditEvent
from tadiao.coordination import queries as coordination
from tadiao.coordination.models import OPEN_STATUSES, Category, Instruction, Meeting, Problem, Reply, Status
from tadiao.demo import attraction as demo_attraction
from tadiao.economy import models as economy
from tadiao.indicators import warnings
from tadiao.indicators.models import Snapshot
from tadiao.org.models import Unit
from tadiao.projects.models import Batch, BatchEntry, BondApplication, BondBatch, Project, Stage
from tadiao.projects.queries import six_months_before

TODAY = datetime.date(2026, 11, 23)
LAST_CLOSED_END = datetime.date(2026, 10, 31)


def attraction_snapshots() -> list[dict]:
    return [s.data["attraction"] for s in Snapshot.objects.order_by("as_of")]


# --- counts ---------------------------------------------------------------------------------------------


def test_counts_are_in_the_summary_and_the_audit_event(demo):
    assert demo.trips == Trip.objects.count() and 250 <= demo.trips <= 400
    assert demo.leads == Lead.objects.count() and demo.follow_ups == FollowUp.objects.count()
    assert demo.recognitions == Recognition.objects.count()
    assert (demo.batches, demo.batch_entries) == (Batch.objects.count(), BatchEntry.objects.count())
    assert (demo.bond_batches, demo.bond_applications) == (BondBatch.objects.count(), BondApplication.objects.count())
    event = AuditEvent.objects.get(action="demo.loaded")
    assert AuditEvent.objects.count() == 1  # the whole load is one event
    assert event.changes["外出招商"] == demo.trips and event.changes["招商线索"] == demo.leads
    assert event.changes["跟进记录"] == demo.follow_ups and event.changes["签约认定"] == demo.recognitions
    assert event.changes["三个一批期次"] == demo.batches and event.changes["三个一批项目"] == demo.batch_entries
    assert event.changes["专项债批次"] == 2 and event.changes["专项债项目"] == demo.bond_applications
    # 经济指标 (tadiao.demo.economy): loaded with the county, inside the same one event.
    assert demo.economy_figures == economy.Figure.objects.count() > 0
    assert demo.economy_targets == economy.Target.objects.count() > 0
    assert event.changes["经济指标数据"] == demo.economy_figures


# --- trips ----------------------------------------------------------------------------------------------


def test_trips_are_spread_unevenly_with_cadres_and_destinations(demo):
    trips = Trip.objects.all()
    assert not trips.filter(departure_date__lt=datetime.date(2025, 1, 1)).exists()
    assert not trips.filter(return_date__gt=TODAY).exists()
    assert {t.year for t in trips.dates("departure_date", "year")} == {2025, 2026}
    per_unit = Counter(trips.values_list("unit_id", flat=True))
    assert Unit.objects.exclude(pk__in=per_unit).count() >= 3  # some units never went out
    assert max(per_unit.values()) >= 6 and min(per_unit.values()) == 1
    parks = trips.filter(unit__kind=Unit.Kind.PARK).count() / Unit.objects.filter(kind=Unit.Kind.PARK).count()
    departments = trips.filter(unit__kind=Unit.Kind.DEPARTMENT).count() / Unit.objects.filter(
        kind=Unit.Kind.DEPARTMENT).count()
    assert parks > 2 * departments  # the parks travel most
    assert set(trips.values_list("rank", flat=True)) == set(Rank.values)
    assert trips.filter(rank=Rank.SECTION).count() > trips.count() / 2
    for trip in trips:
        assert trip.leading_cadre.endswith("）") and "（" in trip.leading_cadre, trip.leading_cadre
        assert trip.destination.startswith(("上海", "江苏", "浙江", "安徽", "广东", "北京")), trip.destination
        assert trip.firms_visited and trip.results
        assert trip.created_at.date() > trip.departure_date
    # A city leader leads some trips himself (处级 in a county-level city).
    assert trips.filter(leading_cadre__contains="副市长", rank=Rank.DIVISION).exists()
    assert trips.filter(unit__kind=Unit.Kind.TOWNSHIP, leading_cadre__contains="镇党委书记").exists()


# --- leads and their log --------------------------------------------------------------------------------


def test_every_project_in_talks_has_a_lead_and_signed_projects_closed_theirs(demo):
    talking = Project.objects.filter(stage=Stage.NEGOTIATING)
    assert talking.count() == Lead.objects.filter(project__stage=Stage.NEGOTIATING).count()
    assert not talking.filter(lead__isnull=True).exists()
    for lead in Lead.objects.select_related("project"):
        assert lead.start_date == lead.project.negotiating_date
        if lead.status == Lead.Status.SIGNED:
            assert lead.closed_date == lead.project.signed_date
    lost = Lead.objects.filter(status=Lead.Status.LOST)
    assert lost.count() >= 2 and not lost.filter(lost_reason="").exists()
    # A cancelled project in talks lost its lead, with the reason it was cancelled.
    assert not Lead.objects.filter(project__is_cancelled=True, project__stage=Stage.NEGOTIATING,
                                   status=Lead.Status.ACTIVE).exists()
    assert Lead.objects.filter(status=Lead.Status.ACTIVE).count() >= 10
    assert Lead.objects.filter(status=Lead.Status.SIGNED).count() >= 30


def test_follow_up_logs_lie_within_the_talks_and_some_are_stale(demo):
    assert not Lead.objects.annotate(n=Count("follow_ups")).filter(n=0).exists()
    for entry in FollowUp.objects.select_related("lead"):
        assert entry.lead.start_date <= entry.date <= (entry.lead.closed_date or TODAY)
        assert entry.content and entry.by_id
    stale = attraction.leads_without_follow_up(Project.objects.all(), as_of=TODAY)
    very_stale = attraction.leads_without_follow_up(Project.objects.all(), as_of=TODAY, days=60)
    assert stale.count() == demo_attraction.STALE_YELLOW + demo_attraction.STALE_RED
    assert very_stale.count() == demo_attraction.STALE_RED
    # The warning rule 招商线索长期无跟进 lights them (red beyond 60 days).
    rules = [r for r in warnings.active_rules() if r.code == "lead_no_follow_up"]
    assert rules
    warned = {p.pk: p.light for p in warnings.warned_projects(Project.objects.all(), as_of=TODAY, rules=rules)}
    assert set(warned) == set(stale.values_list("pk", flat=True))
    # light: 2 red, 1 yellow
    assert Counter(warned.values()) == {2: demo_attraction.STALE_RED, 1: demo_attraction.STALE_YELLOW}


# --- recognition ----------------------------------------------------------------------------------------


def test_most_signed_projects_are_recognised_some_wait_some_are_rejected(demo):
    signed = Project.objects.filter(signed_date__isnull=False)
    statuses = Counter(signed.annotate(s=attraction.recognition_status_expr()).values_list("s", flat=True))
    assert statuses[Recognition.Status.RECOGNISED] > 0.8 * signed.count()
    assert 3 <= statuses[Recognition.Status.PENDING] <= 10
    assert 3 <= statuses[Recognition.Status.REJECTED] <= 6
    assert not Recognition.objects.exclude(project__in=signed).exists()
    rejected = Recognition.objects.filter(status=Recognition.Status.REJECTED)
    assert not rejected.filter(reason="").exists()
    assert rejected.filter(reason="城建类项目不纳入招商引资统计").exists()
    decided = Recognition.objects.exclude(status=Recognition.Status.PENDING).select_related("project")
    for row in decided:
        assert row.decided_by.is_coordinator
        assert row.project.signed_date <= row.decided_at.date() <= TODAY
    # The pending ones are the latest signings.
    pending = signed.filter(recognition__status=Recognition.Status.PENDING)
    assert min(pending.values_list("signed_date", flat=True)) >= max(decided.values_list("project__signed_date",
                                                                                         flat=True))


# --- the three work items, as frozen --------------------------------------------------------------------


def test_snapshots_show_blank_units_breaking_zero_and_streaks(demo):
    *earlier, latest = attraction_snapshots()
    assert latest["end"] == LAST_CLOSED_END.isoformat()
    blank = latest["blank_unit_ids"]
    assert 5 <= len(blank) <= 10
    assert len(latest["broke_zero_unit_ids"]) >= 3
    assert set(latest["broke_zero_unit_ids"]) <= set(earlier[-1]["blank_unit_ids"])
    streaks = latest["blank_streaks"]
    assert sorted(streaks) == sorted(str(pk) for pk in blank)
    assert sum(1 for n in streaks.values() if n >= 3) >= 3
    # Blank in every snapshot so far, last December's included: units that never went out.
    assert max(streaks.values()) == len(earlier) + 1
    # Units fill in over the year: fewer blank each month, and every month some unit breaks zero.
    this_year = [*earlier[1:], latest]
    counts = [len(s["blank_unit_ids"]) for s in this_year]
    assert counts == sorted(counts, reverse=True) and counts[0] > 60
    assert all(s["broke_zero_unit_ids"] for s in this_year[1:])
    # Last December (the whole of last year) has a blank list too, shorter than January's.
    assert 10 <= len(earlier[0]["blank_unit_ids"]) < counts[0]


def test_frozen_work_items_are_what_the_live_query_gives(demo):
    latest = attraction_snapshots()[-1]
    units = list(Unit.objects.filter(is_active=True).order_by("display_order", "id"))
    live = attraction.work_items_as_json(units, start=datetime.date(2026, 1, 1), end=LAST_CLOSED_END)
    assert live["blank_unit_ids"] == latest["blank_unit_ids"]
    assert live["totals"] == latest["totals"]
    assert latest["totals"]["trips"] > 100 and latest["totals"]["leads"] > 20 and latest["totals"]["signed"] > 10
    # Blank units are departments or state-owned companies: every township, street and park did something.
    assert not Unit.objects.filter(pk__in=latest["blank_unit_ids"]).exclude(
        kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.SOE]).exists()


# --- "三个一批" -----------------------------------------------------------------------------------------


def test_batches_with_entries_of_each_kind(demo):
    batches = list(Batch.objects.order_by("number"))
    assert [b.number for b in batches] == list(range(1, 7))
    assert [b.date for b in batches] == sorted(b.date for b in batches) and batches[-1].date < TODAY
    assert all("三个一批" in b.note for b in batches)
    entries = BatchEntry.objects.select_related("project", "batch")
    for batch in batches:
        kinds = set(entries.filter(batch=batch).values_list("kind", flat=True))
        assert kinds == set(BatchEntry.Kind.values), batch
    for entry in entries:
        reached = {BatchEntry.Kind.SIGN: entry.project.signed_date, BatchEntry.Kind.START: entry.project.started_date,
                   BatchEntry.Kind.PRODUCE: entry.project.producing_date}[entry.kind]
        if entry.kind != BatchEntry.Kind.START or reached is not None:
            assert reached <= entry.batch.date, entry
    # A project signed in one batch and started in a later one is in both.
    in_batches = Counter(entries.values_list("project_id", "batch__number").distinct().values_list("project_id",
                                                                                                   flat=True))
    assert any(n >= 2 for n in in_batches.values())
    # Cancelled projects stay in their batch; some entered to start have not started yet.
    assert entries.filter(project__is_cancelled=True).count() >= 2
    assert entries.filter(kind=BatchEntry.Kind.START, project__started_date__isnull=True).count() >= 2
    # Frozen in the snapshots too.
    latest = Snapshot.objects.order_by("as_of").last().data["batches"]
    assert latest["total"]["entries"] == entries.count()


# --- 专项债 ---------------------------------------------------------------------------------------------


def test_bond_batches_with_quotas_spent_and_some_idle(demo):
    assert set(BondBatch.objects.values_list("name", "year")) == {("2025年提前批", 2025), ("2026年第一批", 2026)}
    applications = BondApplication.objects.select_related("project", "batch")
    assert applications.count() >= 15
    for row in applications:
        assert row.spent <= row.issued <= row.requested
        assert row.project.approved_date is not None
        assert row.project.tags.filter(name="专项债").exists()
        assert (row.issued_date is None) == (row.issued == 0)
        if row.issued_date:
            assert row.issued_date.year == row.batch.year and row.issued_date <= TODAY
    idle = applications.filter(issued__gt=0, spent=0, issued_date__lte=six_months_before(TODAY))
    assert idle.filter(batch__name="2025年提前批").count() >= 2
    assert applications.filter(spent__gt=0).count() > applications.count() / 2
    assert applications.filter(issued=0).exists()  # not every application got a quota


# --- 问题协调与督办 ---------------------------------------------------------------------------------------


def test_problems_across_categories_statuses_and_levels(demo):
    problems = Problem.objects.filter(kind=Problem.Kind.PROBLEM)
    assert demo.problems == problems.count() == 40
    assert demo.supervision_items == Problem.objects.filter(kind=Problem.Kind.SUPERVISION).count() >= 8
    assert demo.meetings == Meeting.objects.count() == 2
    event = AuditEvent.objects.get(action="demo.loaded")
    assert (event.changes["问题诉求"], event.changes["督办事项"], event.changes["会议"]) == (
        demo.problems, demo.supervision_items, demo.meetings)
    assert set(problems.values_list("category", flat=True)) == set(Category.values)
    assert set(problems.values_list("status", flat=True)) == set(Status.values)
    assert set(problems.values_list("level", flat=True)) == {1, 2, 3, 4}
    assert problems.filter(status=Status.CLOSED).count() > problems.count() / 2
    # Some raised from a monthly report's 存在问题, about the report's project.
    from_reports = problems.exclude(report=None).select_related("report")
    assert from_reports.count() >= 5
    assert all(p.report.project_id == p.project_id and p.report.problems in p.description for p in from_reports)
    # Overdue: the stubborn ones, gone all the way up and waiting for the office's decision.
    overdue = coordination.overdue_problems(as_of=TODAY)
    assert overdue.count() >= 3
    assert not Problem.objects.filter(status__in=OPEN_STATUSES, deadline__lt=TODAY - datetime.timedelta(days=1),
                                      level__lt=4).exists()  # the daily job ran every day up to yesterday
    assert not overdue.filter(needs_decision=False, deadline__lt=TODAY - datetime.timedelta(days=1)).exists()
    # Lead units are departments, companies or the project's own township — never the raising unit itself.
    assert not problems.filter(lead_unit=F("raised_by_unit")).exclude(category=Category.DEMOLITION).exists()
    assert Instruction.objects.exists() and Reply.objects.exists()


def test_problem_histories_agree_with_the_problems(demo):
    for problem in Problem.objects.prefetch_related("events"):
        events = list(problem.events.all())
        assert events[0].action in ("RAISED", "DECIDED") and events[0].date == problem.raised_date
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status and after.from_level == before.to_level, problem
            assert before.date <= after.date <= TODAY
        assert events[-1].to_status == problem.status and events[-1].to_level == problem.level, problem
        assert problem.first_deadline <= problem.deadline
        escalations = [e for e in events if e.action == "ESCALATED"]
        assert len(escalations) == problem.level - 1
        if problem.status in (Status.RESOLVED, Status.CLOSED):
            assert problem.resolved_date == next(e.date for e in events if e.action == "RESOLVED")
        assert problem.created_at.date() == problem.raised_date


def test_meetings_with_agenda_and_supervision_items(demo):
    monthly, dispatch = Meeting.objects.order_by("date")
    assert (monthly.kind, dispatch.kind) == (Meeting.Kind.MONTHLY, Meeting.Kind.DISPATCH)
    assert monthly.chair and dispatch.chair and monthly.minutes and dispatch.date < TODAY
    blank = set(Snapshot.objects.order_by("as_of").last().data["attraction"]["blank_unit_ids"])
    named = set(monthly.agenda.exclude(unit=None).values_list("unit_id", flat=True))
    assert named and named <= blank  # the blank units speak at the monthly meeting
    for meeting in (monthly, dispatch):
        assert meeting.agenda.filter(problem__isnull=False).exists()
        items = meeting.supervision_items.all()
        assert items.count() >= 4
        assert not items.exclude(kind=Problem.Kind.SUPERVISION).exclude(raised_date=meeting.date).exists()
    # Last month's decisions are mostly done by now; the recent meeting's are in hand.
    assert monthly.supervision_items.filter(status__in=[Status.RESOLVED, Status.CLOSED]).exists()
    assert dispatch.supervision_items.filter(status__in=OPEN_STATUSES).exists()
    # The snapshots freeze problem coordination too.
    latest = Snapshot.objects.order_by("as_of").last().data["problems"]
    assert latest["statistics"]["total"] > 20 and latest["by_unit"]
