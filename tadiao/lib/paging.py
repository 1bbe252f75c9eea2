"""Pagination of the list pages: the page the request asks for, in one of the offered sizes."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZES = (20, 50, 100)


def page_of(request: HttpRequest, rows: QuerySet[Any] | Sequence[Any]) -> Page[Any]:
    """`?page=` of `rows` with `?per_page=` (one of PAGE_SIZES, else the first); an out-of-range page gives the
    last one, as Paginator.get_page does."""
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    return Paginator(rows, per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The request's query string less `page`: what the pagination links and the export link carry."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class Counted:
    """Rows whose number is known already (e.g. from totals the page shows anyway): Paginator asks `count()` here
    instead of sending a COUNT of an expensive query to the database. Slicing goes to the rows."""

    def __init__(self, rows: QuerySet[Any], count: int) -> None:
        self.rows, self.known = rows, count

    def count(self) -> int:
        return self.known

    def __len__(self) -> int:
        return self.known

    def __getitem__(self, key: Any) -> Any:
        return self.rows[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)
