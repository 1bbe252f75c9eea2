"""Rate definitions built from choices (issue 15, point 6): created, previewed without saving, edited without
losing conditions, refused in Chinese when the combination cannot work, and shown in words, never as JSON."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.indicators.models import RateDefinition
from tadiao.indicators.selection import describe, to_q
from tadiao.projects.models import Level, Project, Stage
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date
CREATE = "/indicators/settings/definitions/"

# 省重点开工率 from choices: the denominator is every 省重点 project, the numerator those that started.
PROVINCIAL_START = {
    "code": "provincial_start",
    "name": "省重点项目开工率",
    "measure": "COUNT",
    "den_levels": ["PROVINCIAL"],
    "num_reached": "STARTED",
    "num_period": "reached",
}


@pytest.fixture
def projects(unit_a, unit_b):
    """Three 省重点 projects, two of them started; a 市重点 one started (outside the denominator)."""
    ProjectFactory(unit=unit_a, level=Level.PROVINCIAL, stage=Stage.STARTED, started_date=D(2026, 3, 1))
    ProjectFactory(unit=unit_b, level=Level.PROVINCIAL, stage=Stage.STARTED, started_date=D(2025, 9, 1))
    ProjectFactory(unit=unit_a, level=Level.PROVINCIAL, stage=Stage.SIGNED, signed_date=D(2026, 1, 2))
    ProjectFactory(unit=unit_b, level=Level.CITY, stage=Stage.STARTED, started_date=D(2026, 4, 1))


class FormValues(HTMLParser):
    """What a browser would send for the form `form_id` as rendered: text inputs, checked boxes, selected options."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.select, self.values = form_id, False, None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(a["name"], []).append(a.get("value", "on"))
            elif a.get("type") != "file":
                self.values.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.values.setdefault(self.select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self.values.setdefault(a["name"], []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.inside = False


def form_values(body: str, form_id: str = "rate-form") -> dict:
    parser = FormValues(form_id)
    parser.feed(body)
    return parser.values


def test_create_a_rate_from_choices_audited_and_shown_in_words(client, coordinator, projects):
    login(client, coordinator)
    response = client.post(CREATE, {**PROVINCIAL_START, "action": "save"})
    assert response.status_code == 302
    rate = RateDefinition.objects.get(code="provincial_start")
    assert (rate.measure, rate.numerator, rate.denominator) == (
        "COUNT",
        {"reached": "STARTED"},
        {"levels": ["PROVINCIAL"]},
    )
    event = AuditEvent.objects.get(action="indicators.rate.created")
    assert event.changes["denominator"] == [None, {"levels": ["PROVINCIAL"]}]
    body = client.get("/indicators/settings/").content.decode()
    assert "分子：已达到开工阶段的项目；分母：全部项目（省重点）" in body
    # The rate is computed with the others: 2 of the 3 省重点 projects started.
    rates = client.get("/indicators/?as_of=2026-06-30").context["result"].rates
    assert (rates["provincial_start"].numerator, rates["provincial_start"].denominator) == (2, 3)
    assert rates["provincial_start"].percent == Decimal("66.67")


@pytest.mark.parametrize("htmx", [False, True])
def test_preview_shows_the_current_value_and_saves_nothing(client, coordinator, projects, htmx):
    login(client, coordinator)
    before = (RateDefinition.objects.count(), AuditEvent.objects.count())
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(CREATE, {**PROVINCIAL_START, "action": "preview"}, headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    # By hand: 省重点 projects 3, of which started 2 → 2 / 3 = 66.67%.
    assert "分子 2 个 / 分母 3 个" in body
    assert '<b id="rate-preview-value">66.67%</b>' in body
    assert "分子：已达到开工阶段的项目；分母：全部项目（省重点）" in body
    assert (RateDefinition.objects.count(), AuditEvent.objects.count()) == before
    # The form keeps what was chosen, ready to be saved.
    values = form_values(body)
    assert values["den_levels"] == ["PROVINCIAL"] and values["num_reached"] == ["STARTED"]
    assert values["name"] == ["省重点项目开工率"]


def test_preview_of_an_investment_rate(client, coordinator, unit_a):
    from tests.factories import AnnualPlanFactory

    started = ProjectFactory(unit=unit_a, stage=Stage.STARTED, started_date=D(2025, 3, 1))
    AnnualPlanFactory(project=started, year=datetime.date.today().year, planned_investment=Decimal("800"))
    login(client, coordinator)
    data = {
        "code": "inv",
        "name": "开工项目完成率",
        "measure": "INVESTMENT",
        "den_reached": "STARTED",
        "action": "preview",
    }
    body = client.post(CREATE, data).content.decode()
    assert "本年累计完成投资 0.00 万元 / 年度计划投资 800.00 万元" in body
    assert '<b id="rate-preview-value">0.00%</b>' in body
    assert not RateDefinition.objects.filter(code="inv").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"den_reached": "STARTED", "den_not_reached": "STARTED"},
            "分母条件矛盾：不能既“已达到开工阶段”又“尚未达到开工阶段”。",
        ),
        ({"num_levels": ["CITY"]}, "分子的级别（市重点）与分母的级别（省重点）没有交集，分子将恒为 0。"),
        ({"num_reached": ""}, "分子条件没有在分母之外增加任何条件，比率将恒为 100%"),
        ({"den_not_reached": "STARTED"}, "分子与分母矛盾：一边要求“已达到开工阶段”，另一边要求“尚未达到开工阶段”"),
        ({"measure": "INVESTMENT"}, "投资额口径的比率按分母项目计算“累计完成投资 / 年度计划投资”，分子条件应留空。"),
        ({"den_natures": ["CONTINUING"], "den_exclude_natures": ["CONTINUING"]}, "项目性质“续建”既被选中又被排除"),
        ({"name": ""}, "请填写名称。"),
    ],
)
@pytest.mark.parametrize("action", ["save", "preview"])
def test_bad_combinations_are_refused_in_chinese(client, coordinator, changes, message, action):
    login(client, coordinator)
    response = client.post(CREATE, {**PROVINCIAL_START, **changes, "action": action})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'id="rate-preview"' not in body
    assert not RateDefinition.objects.filter(code="provincial_start").exists()
    assert not AuditEvent.objects.filter(action__startswith="indicators.rate").exists()


@pytest.mark.parametrize("code", ["start_rate", "start_or_resume_rate", "campaign_performing_started", "provincial"])
def test_edit_form_saved_unchanged_changes_nothing(client, coordinator, code):
    login(client, coordinator)
    if code == "provincial":
        client.post(CREATE, {**PROVINCIAL_START, "code": code, "den_tags": ["亿元以上"], "action": "save"})
    rate = RateDefinition.objects.get(code=code)
    stored = (rate.name, rate.measure, rate.numerator, rate.denominator, rate.description, rate.is_active)
    events = AuditEvent.objects.count()
    url = f"/indicators/settings/definitions/{rate.pk}/"
    values = form_values(client.get(url).content.decode())
    response = client.post(url, {**values, "action": "save"})
    assert response.status_code == 302, response.content.decode()
    rate.refresh_from_db()
    assert (rate.name, rate.measure, rate.numerator, rate.denominator, rate.description, rate.is_active) == stored
    assert AuditEvent.objects.count() == events


def test_edit_keeps_conditions_and_audits_the_change(client, coordinator, leader, projects):
    rate = RateDefinition.objects.get(code="start_or_resume_rate")  # its numerator is an any_of the form cannot show
    url = f"/indicators/settings/definitions/{rate.pk}/"
    login(client, leader)
    assert client.get(url).status_code == 403
    login(client, coordinator)
    body = client.get(url).content.decode()
    assert "分子另有组合条件（表单中不能修改，保存时保持不变）：符合以下任一条件" in body
    values = form_values(body)
    assert values["den_in_year_plan"] == ["on"]
    any_of = rate.numerator["any_of"]
    client.post(url, {**values, "name": "开复工率（县）", "den_levels": ["PROVINCIAL"], "action": "save"})
    rate.refresh_from_db()
    assert rate.name == "开复工率（县）"
    assert rate.numerator == {"any_of": any_of}
    assert rate.denominator == {"in_year_plan": True, "levels": ["PROVINCIAL"]}
    event = AuditEvent.objects.get(action="indicators.rate.updated")
    assert event.changes["name"] == ["开复工率", "开复工率（县）"]
    assert event.changes["denominator"] == [{"in_year_plan": True}, {"in_year_plan": True, "levels": ["PROVINCIAL"]}]
    assert "numerator" not in event.changes
    # A form opened before that save (an older version) is refused rather than overwriting it.
    response = client.post(url, {**values, "name": "旧页面", "action": "save"})
    assert "该比率定义已被他人修改，请刷新页面后重新编辑。" in response.content.decode()
    rate.refresh_from_db()
    assert rate.name == "开复工率（县）"


def test_edit_preview_saves_nothing(client, coordinator, projects):
    rate = RateDefinition.objects.get(code="start_rate")
    url = f"/indicators/settings/definitions/{rate.pk}/"
    login(client, coordinator)
    values = form_values(client.get(url).content.decode())
    body = client.post(url, {**values, "den_levels": ["PROVINCIAL"], "action": "preview"}).content.decode()
    assert "分子 2 个 / 分母 3 个" in body
    rate.refresh_from_db()
    assert rate.denominator == {}
    assert not AuditEvent.objects.filter(action="indicators.rate.updated").exists()


def test_conditions_are_shown_in_chinese(client, leader):
    login(client, leader)
    body = client.get("/indicators/settings/").content.decode()
    table = body[body.index('id="definitions"') : body.index("</table>", body.index('id="definitions"'))]
    assert "{&#x27;" not in table and "{" not in table
    assert "分子：已达到开工阶段的项目；分母：全部项目" in body  # 开工率
    assert "分子：已达到立项阶段的项目；分母：全部项目（列入签约一批）" in body  # 签约项目履约率
    assert "分子：列入本年度计划的项目的本年累计完成投资；分母：列入本年度计划的项目的年度计划投资" in body
    assert "STARTED" not in table and "reached" not in table
    assert "新增比率" not in body  # a leader reads, the coordinator defines


def test_describe():
    assert describe({}) == "全部项目"
    assert describe({"reached": "STARTED"}) == "已达到开工阶段的项目"
    assert (
        describe({"reached_this_year": "STARTED", "not_reached": "COMPLETED", "levels": ["PROVINCIAL", "CITY"]})
        == "本年内达到开工阶段、尚未达到竣工阶段的项目（省重点或市重点）"
    )
    assert (
        describe({"tags": ["智能化改造"], "batches": [3, 4], "batch_kinds": ["SIGN"], "exclude_cancelled": True})
        == "全部项目（带有标签“智能化改造”，列入第3、4期签约一批，不含已终止项目）"
    )
    assert describe({"any_of": [{"reached": "SIGNED"}, {"natures": ["CONTINUING"]}]}) == (
        "符合以下任一条件：“已达到签约阶段的项目”或“全部项目（续建）”的项目"
    )


def test_reached_within_quarter_and_month(unit_a):
    for day in (D(2026, 4, 30), D(2026, 7, 1), D(2026, 9, 5), D(2026, 9, 20)):
        ProjectFactory(unit=unit_a, stage=Stage.STARTED, started_date=day)
    as_of = D(2026, 9, 10)

    def count(key):
        return Project.objects.filter(to_q({key: "STARTED"}, as_of=as_of)).count()

    # By hand on 10 September: up to then 3 started; in Q3 (from 1 July) 2; in September 1; 20 September is later.
    assert (count("reached"), count("reached_this_quarter"), count("reached_this_month")) == (3, 2, 1)


def test_settings_page_queries_are_flat(client, coordinator):
    """Session, user, the user's unit; definitions, targets with their rates, warning rules; the form's tags and
    batches; the target form's rates: the same at N and 2N local definitions (their conditions are words, no query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tadiao.indicators import services

    login(client, coordinator)

    def add(n, start):
        for i in range(start, start + n):
            services.create_rate_definition(
                code=f"local_{i}", name=f"本地比率{i}", measure="COUNT", numerator={"reached": "STARTED"},
                denominator={"levels": ["CITY"], "tags": ["智能化改造"]}, by=coordinator,
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/indicators/settings/").status_code == 200
        return len(ctx.captured_queries)

    add(5, 0)
    at_n = count()
    add(5, 5)
    assert count() == at_n
