"""Every page, as every role sees it, is in Chinese (issue 15, point 5): the crawl logs in as the coordinator, a
leader, a unit's reporter, the system and the audit administrator over the demo county, visits every GET page of
the URLconf (path arguments filled from the data) and the pages linked from them, and fails on an English
placeholder Django or a template let through ("- Select an option -", "None", "True" …) or a TextChoices code
("SUBMITTED", "LAND") in the text a person sees."""

import enum
import html.parser
import inspect
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

# English that must never reach a page: Django's untranslated defaults and Python values printed as they are.
PLACEHOLDERS = [
    "Select an option",
    "This field is required",
    "Enter a valid",
    "Enter a whole number",
    "Ensure this value",
    "---------",
    "None",
    "True",
    "False",
    "undefined",
    "NaN",
]
_PLACEHOLDER_RE = re.compile("|".join(
    rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])" if p[0].isalpha() else re.escape(p) for p in PLACEHOLDERS))
# An uppercase word standing alone (Chinese characters around it count as "alone": 问题类别LAND).
_UPPER_RE = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]{2,}(?![A-Za-z0-9_])")


def enum_codes() -> set[str]:
    """The values of every TextChoices of the project (models' choices and the classes the apps define), so an
    uppercase word is flagged only when it is one of our codes: PDF, GB/T, URL or XLSX are not."""
    codes: set[str] = set()
    classes: set[type] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("tadiao."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value != str(label):
                    codes.add(value)
        module = inspect.getmodule(model)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                classes.add(obj)
        for _name, obj in inspect.getmembers(model, inspect.isclass):
            if issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                classes.add(obj)
    for cls in classes:
        # A code that is its own label (GDP) is what the page should show.
        codes.update(member.value for member in cls if isinstance(member, enum.Enum) and member.value != member.label)
    return {c for c in codes if _UPPER_RE.fullmatch(c)}


# Attributes whose value a person reads on the page.
_VISIBLE_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label", "data-bs-title"}
_HIDDEN_INPUTS = {"hidden", "password", "checkbox", "radio", "file"}


class _Page(html.parser.HTMLParser):
    """The visible text of a page (its title included; no script or style), the attributes a person reads, and the
    links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("href", "hx-get"):
            if values.get(name) and (tag == "a" or name == "hx-get"):
                self.links.append(values[name])
        if tag in ("script", "style"):
            self._skip += 1
            return
        if self._skip:
            return
        for name in _VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.text.append(values[name])
        if tag == "input" and (values.get("type") or "text") not in _HIDDEN_INPUTS and values.get("value"):
            self.text.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def read_page(content: str) -> tuple[str, list[str]]:
    page = _Page()
    page.feed(content)
    page.close()
    return "\n".join(page.text), page.links


def problems_in(text: str, codes: set[str] | None = None) -> list[str]:
    """The English placeholders and enum codes in a page's visible text, each with a little context."""
    codes = enum_codes() if codes is None else codes
    found = []
    for match in _PLACEHOLDER_RE.finditer(text):
        found.append(f"“{match.group(0)}” in “{_around(text, match)}”")
    for match in _UPPER_RE.finditer(text):
        if match.group(0) in codes:
            found.append(f"code “{match.group(0)}” in “{_around(text, match)}”")
    return found


def _around(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 30):match.end() + 30].replace("\n", " ⏎ ")


# ---------------------------------------------------------------------------------------------------------------
# The URLconf, with its path arguments filled from the data a user may see.


def url_patterns() -> list[tuple[str, str, list[str]]]:
    """(route, name, path argument names) for every pattern of the site."""
    rows = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(filter(None, [namespace, p.name]))
                rows.append((prefix + str(p.pattern), name, list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "/", "")
    return rows


def _model(label: str):
    return apps.get_model(label)


# Which object a `pk` of a URL names, by the URL's name (namespace, then the name's start).
PK_MODELS = {
    "projects:": "projects.Project",
    "api:revoke": "api.ApiToken",
    "reporting:period_": "reporting.Period",
    "reporting:review": "reporting.MonthlyReport",
    "reporting:photo_upload": "reporting.MonthlyReport",
    "reporting:photo": "reporting.ReportPhoto",
    "indicators:warning_rule_save": "indicators.WarningRule",
    "indicators:assessment_scheme_copy": "indicators.AssessmentScheme",
    "indicators:": "indicators.RateDefinition",
    "attraction:trip_": "attraction.Trip",
    "attraction:lead_": "attraction.Lead",
    "attraction:follow_up_add": "attraction.Lead",
    "coordination:attachment_upload": "coordination.Problem",
    "coordination:attachment": "coordination.Attachment",
    "coordination:problem": "coordination.Problem",
    "coordination:meeting": "coordination.Meeting",
    "economy:figure_": "economy.Figure",
    "notifications:channel_": "notifications.Channel",
    "notifications:": "notifications.Message",
    "bulletins:": "bulletins.Bulletin",
    "org:region_": "org.Region",
    "org:unit_": "org.Unit",
    "org:leader_": "org.Leader",
    "org:user_": "org.User",
    "imports:": "imports.ImportJob",
    "weekly:exception_remove": "weekly.ScopeEntry",
    "gis:boundary_geojson": "gis.BoundaryMap",
    "weekly:return": "weekly.WeeklyReport",
    "weekly:": "projects.Project",
}


class NoSample(Exception):
    """A URL's path argument the crawl does not know how to fill (see test_every_url_pattern_can_be_filled)."""


def _pk_model(name: str):
    for prefix in sorted(PK_MODELS, key=len, reverse=True):
        if name.startswith(prefix):
            return _model(PK_MODELS[prefix])
    raise NoSample(f"URL {name} has a pk: say in PK_MODELS which object it names")


def _pick(model, user):
    """An object of `model` the user may see: a reporter's own unit's, where the model says whose it is."""
    objects = model._default_manager.order_by("-pk")
    if model._meta.label == "org.User":
        return user
    if model._meta.label == "notifications.Message":
        objects = objects.filter(user=user)
    elif user.is_reporter and not (user.is_coordinator or user.is_leader):
        fields = {f.name for f in model._meta.get_fields()}
        if "unit" in fields:
            objects = objects.filter(unit_id=user.unit_id)
        elif "project" in fields:
            objects = objects.filter(project__unit_id=user.unit_id)
        elif "report" in fields:
            objects = objects.filter(report__project__unit_id=user.unit_id)
    return objects.first()


def _sample_args(name: str, arg_names: list[str], user) -> dict | None:
    from tadiao.bulletins.queries import LISTS
    from tadiao.imports.models import ImportJob
    from tadiao.projects.models import ApprovalKind, Batch, BatchEntry, Project
    from tadiao.reporting.models import Period

    values: dict = {}
    for arg in arg_names:
        if arg == "pk":
            obj = _pick(_pk_model(name), user)
            value = obj.pk if obj else None
        elif arg in ("project_pk", "project_id"):  # project_id: the open API's paths (/api/v1/, JSON: not crawled)
            obj = _pick(Project, user)
            value = obj.pk if obj else None
        elif arg in ("report_id", "problem_id", "weekly_id", "job_id"):
            obj = _pick(_model({"report_id": "reporting.MonthlyReport", "problem_id": "coordination.Problem",
                                "weekly_id": "weekly.WeeklyReport", "job_id": "imports.ImportJob"}[arg]), user)
            value = obj.pk if obj else None
        elif arg == "unit_id":
            value = user.unit_id
        elif arg == "kind_id":
            value = ApprovalKind.objects.values_list("pk", flat=True).first()
        elif arg == "number":
            value = Batch.objects.values_list("number", flat=True).first()
        elif arg == "entry_id":
            value = BatchEntry.objects.values_list("pk", flat=True).first()
        elif arg == "month":
            period = Period.objects.order_by("-month").first()
            value = f"{period.month:%Y-%m}" if period else None
        elif arg == "week":
            from tadiao.weekly.models import WeeklyReport

            monday = WeeklyReport.objects.order_by("-week_start").values_list("week_start", flat=True).first()
            value = f"{monday:%G-W%V}" if monday else None
        elif arg == "key":
            value = next(iter(LISTS))
        elif arg == "kind":
            value = ImportJob.Kind.values[0].lower()
        elif arg == "variant":
            value = "thumb"
        elif arg == "action":
            value = "accept"
        else:
            raise NoSample(f"URL {name}: no sample for the path argument “{arg}”")
        if value is None:
            return None
        values[arg] = value
    return values


def start_urls(user) -> list[str]:
    """One URL per pattern of the URLconf, its path arguments filled from objects the user may see."""
    from django.urls import reverse

    urls = []
    for _route, name, arg_names in url_patterns():
        if not name:
            continue
        try:
            kwargs = _sample_args(name, arg_names, user) if arg_names else {}
        except NoSample:
            continue  # reached through links only; test_every_url_pattern_can_be_filled names it
        if kwargs is not None:
            urls.append(reverse(name, kwargs=kwargs))
    return urls


# The pages a crawl does not visit: logging out would end the crawl.
NOT_VISITED = {"logout"}


def crawl(client, urls: Iterable[str], *, limit: int, per_route: int = 4,
          on_page: Callable[[str, str], None]) -> list[str]:
    """Visits the URLs and the site's pages they link to (breadth first): at most `per_route` URLs of one route
    (another project's detail page adds little) and `limit` pages in all. `on_page(url, visible_text)` is called
    for every HTML page that answered 200."""
    queue = deque(urls)
    seen: set[str] = set()
    per: dict[str, int] = defaultdict(int)
    visited: list[str] = []
    while queue and len(visited) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        if match.view_name in NOT_VISITED or per[match.route] >= per_route:
            continue
        per[match.route] += 1
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        visited.append(url)
        text, links = read_page(response.content.decode())
        on_page(url, text)
        for link in links:
            link = urldefrag(link).url
            if link.startswith("/") and not link.startswith("//") and not link.startswith("/static/"):
                queue.append(link)
            elif link.startswith("?"):
                queue.append(urlsplit(url).path + link)
    return visited


# ---------------------------------------------------------------------------------------------------------------
# The tests.


def test_the_checks_find_what_they_look_for():
    codes = {"SUBMITTED", "LAND", "APPROVED"}
    text, _ = read_page(
        '<html><head><title>None</title></head><body><p>状态：SUBMITTED → APPROVED</p><p>问题类别LAND</p>'
        '<select><option value="">- Select an option -</option><option value="LAND">用地</option></select>'
        '<input type="text" value="None"><input type="hidden" value="True"><script>var x = "FUNDS";</script>'
        "<p>导出 PDF、XLSX；GB/T 9704；CLOSED_X</p></body></html>")
    found = problems_in(text, codes)
    assert [p.split(" in ")[0] for p in found] == [
        "“None”", "“Select an option”", "“None”", "code “SUBMITTED”", "code “APPROVED”", "code “LAND”"]
    assert "问题类别LAND" in found[5]


def test_the_project_codes_are_collected_and_ordinary_abbreviations_are_not():
    codes = enum_codes()
    assert {"SUBMITTED", "APPROVED", "LAND", "STARTED", "PENDING", "SUCCESS"} <= codes
    assert not {"PDF", "URL", "XLSX", "GB"} & codes


def test_every_url_pattern_can_be_filled(db, coordinator):
    """Every path argument of the URLconf has a sample, so the crawl starts from every page: a new URL with a pk
    needs a line in PK_MODELS (an empty database just gives no object, which is fine here)."""
    unknown = []
    for _route, name, arg_names in url_patterns():
        try:
            _sample_args(name, arg_names, coordinator)
        except NoSample as exc:
            unknown.append(str(exc))
    assert unknown == []


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    """The demo county plus a system administrator, once for the module, rolled back at its end."""
    from tadiao.demo import services
    from tadiao.org.models import User
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            services.load_demo(today=timezone.localdate())
            office = User.objects.get(username="diaodu").unit
            UserFactory(username="crawl_sysadmin", full_name="系统管理员", unit=office, is_sysadmin=True)
            _audited_writes(User.objects.get(username="diaodu"), User.objects.get(username="tianbao"))
            yield {
                "coordinator": "diaodu",
                "leader": "lingdao",
                "reporter": "tianbao",
                "sysadmin": "crawl_sysadmin",
                "auditor": "shenji",
            }
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _audited_writes(coordinator, reporter) -> None:
    """A few real writes, so the audit log the auditor's crawl reads holds status changes, choices and levels
    (the demo itself records one event), plus one event of every action code the source can record."""
    from tadiao.audit import services as audit
    from tadiao.coordination import queries as coordination_queries
    from tadiao.coordination import services as coordination
    from tadiao.reporting.models import MonthlyReport
    from tests.audit.test_action_labels import source_action_codes

    codes, _ = source_action_codes()
    for code in sorted(codes):
        audit.record(actor=coordinator, action=code, obj=None)
    report = MonthlyReport.objects.filter(status="SUBMITTED", period__status="OPEN").first()
    if report is not None:
        reporting_services = __import__("tadiao.reporting.services", fromlist=["approve_report"])
        reporting_services.approve_report(report=report, by=coordinator, expected_version=report.version)
    project = reporter.unit.projects.first()
    problem = coordination.raise_problem(project=project, by=reporter, today=timezone.localdate(), data={
        "title": "用地指标未落实", "category": "LAND", "description": "缺用地指标", "lead_unit": reporter.unit})
    coordination.escalate(problem=problem, reason="久拖未决", by=coordinator, today=timezone.localdate(),
                          expected_version=problem.version)
    config = coordination_queries.coordination_settings()
    coordination.update_settings(overdue_action="FLAG", due_soon_days=3, category_days={"LAND": 20}, by=coordinator,
                                 expected_version=config.version)


# Pages another branch is rebuilding, with the reason; each is still visited, and its findings are reported
# separately so the rest of the crawl keeps failing loudly.
# Pages whose English is fixed on a branch not merged yet: view name → why (empty once everything is merged).
KNOWN_ELSEWHERE: dict[str, str] = {}


# How many pages each role reaches at least (the auditor: the log's pages, the messages and the login page).
MIN_PAGES = {"coordinator": 100, "leader": 60, "reporter": 50, "sysadmin": 10, "auditor": 5}


@pytest.mark.parametrize("role", ["coordinator", "leader", "reporter", "sysadmin", "auditor"])
def test_every_page_is_chinese_for_every_role(county, db, client, role):
    from tadiao.org.models import User

    user = User.objects.get(username=county[role])
    client.force_login(user)
    codes = enum_codes()
    found: dict[str, list[str]] = {}

    def check(url: str, text: str) -> None:
        problems = problems_in(text, codes)
        if problems:
            found[url] = problems

    visited = crawl(client, start_urls(user), limit=250, on_page=check)
    assert len(visited) >= MIN_PAGES[role], visited
    elsewhere = {url: p for url, p in found.items() if resolve(urlsplit(url).path).view_name in KNOWN_ELSEWHERE}
    here = {url: p for url, p in found.items() if url not in elsewhere}
    assert not here, "\n".join(f"{url}: {'；'.join(p[:5])}" for url, p in here.items())
    if elsewhere:
        pytest.xfail("; ".join(f"{url}: {KNOWN_ELSEWHERE[resolve(urlsplit(url).path).view_name]}"
                               for url in elsewhere))


def test_the_blank_choice_of_every_select_is_chinese(county, db, client):
    """Django 6.1's zh_Hans catalogue leaves "- Select an option -" in English; ours (tadiao/locale) says 请选择."""
    from tadiao.org.models import User

    # The module's demo county (its office is 市发展和改革局, the name the standard actors' office would take).
    client.force_login(User.objects.get(username=county["coordinator"]))
    text, _ = read_page(client.get("/coordination/meetings/new/").content.decode())
    assert "主持领导\n- 请选择 -" in text and "Select an option" not in text
