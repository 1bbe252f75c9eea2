"""The NinjaAPI instance of /api/v1/: authentication, Chinese error answers, the docs page served from our own
static files, and the paging every list endpoint shares."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.operation import Operation
from ninja.renderers import JSONRenderer
from pydantic import Field

from tadiao.api.auth import AUTH, RateLimited

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

# pydantic's error types, as a person reads them.
VALIDATION_TEXT = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_places": "最多保留两位小数",
    "decimal_max_digits": "数字位数过多",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_type": "应为 YYYY-MM-DD 格式的日期",
    "string_type": "应为文字",
    "string_too_long": "文字过长",
    "string_pattern_mismatch": "格式不对",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
}


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with the Chinese as it is (not \\u escapes): readable in a terminal and a log."""

    media_type = "application/json; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


class SwaggerLocal(DocsBase):
    """Swagger UI from static/vendor/swagger-ui (no CDN: the intranet has no internet). The page is for people:
    it asks for the login like every page (the schema itself, /openapi.json, is open to scripts)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return render(request, "api/docs.html", {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)})


class TadiaoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The view's name ("project_list"): short ids for generated clients (every name is unique in the API)."""
        return operation.view_func.__name__


def reject_unknown(given: Mapping[str, str], allowed: dict[str, Iterable[str]]) -> None:
    """422 for a filter value outside its choices (a script must not get every row for a misspelt filter)."""
    wrong = [f"{name}={given[name]}" for name, values in allowed.items()
             if given.get(name) and given[name] not in values]
    if wrong:
        raise HttpError(422, f"请求参数有误：不是可选的值：{'、'.join(wrong)}")


api = TadiaoAPI(
    title="塔吊 重点项目调度平台 开放接口",
    version="1.0.0",
    description=(
        "以个人 API 令牌（Authorization: Bearer）或浏览器登录会话调用；每个接口与页面使用同一套访问控制："
        "填报员只能看到本单位的数据，越权访问返回 404。列表接口按 page / limit 分页，顺序固定。"
    ),
    auth=AUTH,
    docs=SwaggerLocal(),
    renderer=ChineseJSONRenderer(),
    urls_namespace="api-v1",
)


# The machine code of every error answer, by HTTP status: {"detail": "中文说明", "code": "not_found"}.
ERROR_CODES = {400: "rejected", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict",
               422: "invalid", 429: "rate_limited"}


def error_body(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """An error answer's body: the Chinese `detail` and the machine `code` of its status."""
    return {"detail": detail, "code": ERROR_CODES.get(status, "error"), **extra}


def _answer(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, error_body(status, detail, **extra), status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _answer(request, 401, "未登录，或 API 令牌无效、已过期、已吊销。")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    text = str(exc)
    return _answer(request, 404, text if text and not text.isascii() else "对象不存在或无权查看。")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    text = str(exc)
    return _answer(request, 403, text if text and not text.isascii() else "无权进行该操作。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    response = _answer(request, exc.status_code, str(exc))
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")],
            "msg": VALIDATION_TEXT.get(error.get("type", ""), "取值不正确"),
        }
        for error in exc.errors
    ]
    text = "；".join(f"{'.'.join(e['loc']) or '请求'}：{e['msg']}" for e in errors)
    return _answer(request, 422, f"请求参数有误：{text}", errors=errors)


class Paging(Schema):
    """?page=&limit= of every list endpoint."""

    page: int = Field(1, ge=1, description="页码，从 1 开始")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数，1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}")


def page_of(request: HttpRequest, rows: QuerySet, paging: Paging) -> dict[str, Any]:
    """One page of an ordered queryset: {count, page, next, results} — `next` is the next page's URL or null.

    Two queries (the count and the page) plus what the queryset prefetches, whatever the number of rows."""
    count = rows.count()
    start = (paging.page - 1) * paging.limit
    results = list(rows[start : start + paging.limit])
    following = None
    if start + paging.limit < count:
        params = request.GET.copy()
        params["page"] = str(paging.page + 1)
        params["limit"] = str(paging.limit)
        following = f"{request.path}?{params.urlencode()}"
    return {"count": count, "page": paging.page, "next": following, "results": results}


def page_schema(name: str, item: type[Schema], what: str) -> type[Schema]:
    """The answer of a list endpoint: count, page, next and the page's rows."""
    fields: dict[str, Any] = {
        "__doc__": f"{what}的一页",
        "__annotations__": {"count": int, "page": int, "next": str | None, "results": list[item]},
        "count": Field(description="符合条件的总条数"),
        "page": Field(description="当前页码"),
        "next": Field(None, description="下一页的地址；已是最后一页时为 null"),
        "results": Field(description=f"本页的{what}"),
    }
    return type(name, (Schema,), fields)


class Message(Schema):
    """An error answer."""

    detail: str = Field(description="说明（中文）")
    code: str = Field(description="机器可读的错误代码：rejected 400、unauthenticated 401、forbidden 403、"
                                  "not_found 404、conflict 409、invalid 422、rate_limited 429")
