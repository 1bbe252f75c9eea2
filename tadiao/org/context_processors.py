"""The left navigation, by role: each person sees only the pages they may open; and the reporter's bottom
navigation on a phone (their five pages)."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, who sees it)
MENU = [
    ("驾驶舱", "dashboard:home", ("coordinator", "leader")),
    ("项目台账", "projects:list", ("reporter", "coordinator", "leader")),
    ("一张图", "gis:map", ("reporter", "coordinator", "leader")),
    ("新增项目", "projects:create", ("reporter", "coordinator")),
    ("月度填报", "reporting:list", ("reporter", "coordinator", "leader")),
    ("周调度", "weekly:list", ("reporter", "coordinator", "leader")),
    ("指标总览", "indicators:overview", ("reporter", "coordinator", "leader")),
    ("预警项目", "indicators:warnings", ("reporter", "coordinator", "leader")),
    ("单位排名", "indicators:rankings", ("coordinator", "leader")),
    ("指标口径与目标", "indicators:settings", ("coordinator", "leader")),
    ("外出招商", "attraction:trips", ("reporter", "coordinator", "leader")),
    ("招商线索", "attraction:leads", ("reporter", "coordinator", "leader")),
    ("三项工作", "attraction:work_items", ("reporter", "coordinator", "leader")),
    ("问题协调", "coordination:problems", ("reporter", "coordinator", "leader")),
    ("我的待办", "coordination:inbox", ("reporter", "coordinator")),
    ("会议调度", "coordination:meetings", ("coordinator", "leader")),
    ("督办事项", "coordination:supervision", ("reporter", "coordinator", "leader")),
    ("月度通报", "bulletins:bulletins", ("coordinator", "leader")),
    ("经济指标", "economy:overview", ("coordinator", "leader")),
    ("季度考评", "indicators:assessment", ("reporter", "coordinator", "leader")),
    ("五个清单", "bulletins:lists", ("reporter", "coordinator", "leader")),
    ("三个一批", "projects:batches", ("reporter", "coordinator", "leader")),
    ("专项债", "projects:bonds", ("reporter", "coordinator", "leader")),
    ("消息中心", "notifications:inbox", ("reporter", "coordinator", "leader")),
    ("通知渠道", "notifications:channels", ("coordinator", "sysadmin")),
    ("数据导入", "imports:new", ("reporter", "coordinator", "sysadmin")),
    ("行政区划", "org:regions", ("sysadmin",)),
    ("地图边界", "gis:boundary", ("sysadmin",)),
    ("单位管理", "org:units", ("sysadmin",)),
    ("领导管理", "org:leaders", ("sysadmin",)),
    ("用户管理", "org:users", ("sysadmin",)),
    ("API 令牌管理", "api:all_tokens", ("sysadmin",)),
    ("审计日志", "audit:list", ("auditor",)),
]


# (key, label, url name, the path prefixes it stands for) — a 填报员's pages, in the order of their month.
BOTTOM_NAV = [
    ("home", "首页", "home", ("/projects/",)),
    ("monthly", "月报", "reporting:list", ("/reporting/",)),
    ("weekly", "周报", "weekly:list", ("/weekly/",)),
    ("problems", "问题", "coordination:problems", ("/coordination/",)),
    ("messages", "消息", "notifications:inbox", ("/notifications/",)),
]


def bottom_navigation(path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for key, label, url_name, prefixes in BOTTOM_NAV:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = path == url or path.startswith(prefixes)
        items.append({"key": key, "label": label, "url": url, "active": active})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(user.roles)
    items: list[dict[str, Any]] = []
    for label, url_name, who in MENU:
        if roles.intersection(who):
            try:
                url = reverse(url_name)
            except NoReverseMatch:  # a page that this deployment's version does not have yet
                continue
            items.append({"label": label, "url": url, "active": False})
    # Only the most specific matching entry is highlighted (/projects/batches/ is not also 项目台账).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    context: dict[str, object] = {"nav_items": items}
    if user.is_reporter:
        context["bottom_nav"] = bottom_navigation(request.path)
    return context
