"""Row checks the sheets share: a cell's clean value or its error, who may write which unit's projects
(_Scope), and how a row finds its existing project (by 项目代码, else by 项目名称 and 责任单位) — for the
ledger, 年度计划 and 月度进展 alike."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tadiao.imports import parsing, queries, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.services.base import Row, _chunks
from tadiao.imports.services.running import _progress
from tadiao.lib import xlsx
from tadiao.org.models import Unit
from tadiao.projects.models import Project


def _column_labels(*column_sets: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Column key → the header the template uses (the first accepted name), as messages name the column."""
    return {key: names[0] for columns in column_sets for key, names in columns.items()}


def _cell(row: Row, key: str, label: str, parse: Callable[[Any], Any], errors: list[str]) -> Any:
    try:
        return parse(row.values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{label}：{exc}")
        return None


def _required(row: Row, key: str, label: str, parse: Callable[[Any], Any], errors: list[str]) -> Any:
    """A cell that must be filled: its clean value, or None with the error (unreadable or empty)."""
    value = _cell(row, key, label, parse, errors)
    if value is None and not parsing.cell_text(row.values.get(key, "")):
        errors.append(f"{label}不能为空。")
    return value


# --- finding a row's project (the ledger, 年度计划 and 月度进展 alike) ------------------------------------

@dataclass
class _Scope:
    """Who imports, as every row is checked: all units by folded name and by id, the unit ids whose projects
    the importer may write (None: all, the command line without --user), and how a refusal is worded."""

    units: dict[str, Unit]
    units_by_id: dict[int, Unit]
    writable: set[int] | None
    reporter_only: bool

    @classmethod
    def load(cls, by) -> "_Scope":
        writable = queries.writable_unit_ids(by)
        units = list(Unit.objects.all())
        return cls(units={xlsx.fold(u.name): u for u in units}, units_by_id={u.pk: u for u in units},
                   writable=writable, reporter_only=by is not None and not by.is_coordinator)

    def may_write(self, unit_id: int) -> bool:
        return self.writable is None or unit_id in self.writable


def _check_unit(unit_name: str, scope: _Scope, errors: list[str]) -> Unit | None:
    """The unit a 责任单位 cell names; every reason it cannot be used is added to `errors`."""
    unit = scope.units.get(xlsx.fold(unit_name)) if unit_name else None
    if not unit_name:
        errors.append("责任单位不能为空。")
    elif unit is None:
        errors.append(f"责任单位“{unit_name}”不存在，请核对单位名称（须与单位管理中的名称一致）。")
    elif not unit.is_active:
        errors.append(f"责任单位“{unit_name}”已停用。")
    elif not scope.may_write(unit.pk):
        errors.append(f"无权导入其他单位的项目（责任单位“{unit_name}”）。" if scope.reporter_only
                      else f"无权导入其他单位的项目：责任单位“{unit_name}”不在您的管辖区域内。")
    return unit


def _load_projects(keys: Iterable[tuple[str | None, str, Unit | None]], *, units: dict[int, Unit]) -> list[Project]:
    """Existing projects that rows (项目代码, 项目名称, 责任单位) may refer to, by code or by name, each with
    its unit attached (messages name it without a query)."""
    keys = list(keys)
    found: dict[int, Project] = {}
    codes = {code for code, _, _ in keys if code}
    for chunk in _chunks(codes):
        found.update((p.pk, p) for p in Project.objects.filter(code__in=chunk).order_by())
    # By name only where the code did not settle it: a row whose code found the project of the same name
    # and unit cannot also name another project (name + unit is unique). A re-import skips this query.
    settled = {(p.name, p.unit_id) for p in found.values()}
    names = {name for _, name, unit in keys if name and unit is not None and (name, unit.pk) not in settled}
    for chunk in _chunks(names):
        found.update((p.pk, p) for p in Project.objects.filter(name__in=chunk).order_by())
    for project in found.values():
        # The units already read: no select_related building thousands of copies.
        project.unit = units[project.unit_id]
    return list(found.values())


class _ProjectIndex:
    """Existing projects by 项目代码 and by (项目名称, 责任单位)."""

    def __init__(self, projects: Iterable[Project]):
        projects = list(projects)
        self.by_code = {p.code: p for p in projects if p.code}
        self.by_name_unit = {(p.name, p.unit_id): p for p in projects}

    def match(self, *, code: str, name: str, unit: Unit | None, scope: _Scope, errors: list[str]) -> Project | None:
        """The project a row names: by 项目代码, else by (项目名称, 责任单位); None when there is none, or
        (with the error) when the importer may not write it or the code and the name name two projects."""
        by_code = self.by_code.get(code) if code else None
        # Checked before anything names the project: a reporter must not learn what another unit owns.
        if by_code is not None and not scope.may_write(by_code.unit_id):
            errors.append(f"无权导入其他单位的项目（项目代码 {code} 已被其他单位的项目使用）。" if scope.reporter_only
                          else f"无权导入其他单位的项目：项目代码 {code} 已被辖区以外单位的项目使用。")
            return None
        by_name = self.by_name_unit.get((name, unit.pk)) if name and unit is not None else None
        if by_code is not None and by_name is not None and by_code.pk != by_name.pk:
            errors.append(f"项目代码 {code} 属于已有项目“{by_code.name}”（{by_code.unit}），"
                          f"而“{name}”（{unit}）是另一个已有项目，两者冲突，请核对项目代码或名称。")
            return None
        return by_code or by_name


ProjectKey = tuple[str, str, Unit | None]  # (项目代码, 项目名称, 责任单位) of a row


@dataclass
class _KeyedRow:
    """A row of 年度计划 or 月度进展: the project it names and the clean values of its other cells."""

    row: Row
    errors: list[str]
    values: dict[str, Any]
    project: Project | None = None


def _keyed_rows(*, job: ImportJob, by, rows: Sequence[Row], parse: Callable[[Row, list[str]], dict[str, Any]]
                ) -> list[_KeyedRow]:
    """Every row parsed (its project key, then `parse` for the other cells, no queries) and matched to its
    project by the ledger's rule; a row naming no project the importer may write carries the error."""
    scope = _Scope.load(by)
    parsed: list[tuple[_KeyedRow, ProjectKey | None]] = []
    for done, row in enumerate(rows, start=1):
        errors: list[str] = []
        key = _parse_project_key(row, scope, errors)
        parsed.append((_KeyedRow(row=row, errors=errors, values=parse(row, errors)), key))
        _progress(job, done)
    index = _ProjectIndex(_load_projects((key for _, key in parsed if key is not None), units=scope.units_by_id))
    for item, key in parsed:
        if key is not None:
            item.project = _find_project(key, index=index, scope=scope, errors=item.errors)
    return [item for item, _ in parsed]


def _parse_project_key(row: Row, scope: _Scope, errors: list[str]) -> ProjectKey | None:
    """(项目代码, 项目名称, 责任单位) of a row; None, with the errors, when they cannot name a project."""
    before = len(errors)
    code = _cell(row, "code", "项目代码", parsing.parse_project_code, errors)
    name = parsing.cell_text(row.values.get("name"))
    if name.startswith(sheets.EXAMPLE_MARK):
        errors.append(parsing.EXAMPLE_ROW_ERROR)
    unit_name = parsing.cell_text(row.values.get("unit"))
    unit = _check_unit(unit_name, scope, errors) if unit_name else None
    if code == "" and not (name and unit_name):
        errors.append("请填写项目代码，或同时填写项目名称和责任单位。")
    if code is None or len(errors) > before:
        return None
    return code, name, unit


def _find_project(key: ProjectKey, *, index: _ProjectIndex, scope: _Scope, errors: list[str]) -> Project | None:
    code, name, unit = key
    before = len(errors)
    project = index.match(code=code, name=name, unit=unit, scope=scope, errors=errors)
    if project is None and len(errors) == before:
        by_name = f"责任单位“{unit}”下没有名为“{name}”的项目" if name and unit is not None else ""
        if code:
            missing = f"找不到项目代码为 {code} 的项目" + (f"，{by_name}" if by_name else "")
        else:
            missing = by_name
        errors.append(f"{missing}。请核对，或先通过项目台账导入该项目。")
    return project


def _first_rows(parsed: list[_KeyedRow], key: Callable[[_KeyedRow], Any], message: str) -> None:
    """Flag every row repeating the key of an earlier row (`message` formatted with that row's number);
    rows whose key is None are skipped."""
    first: dict[Any, int] = {}
    for item in parsed:
        value = key(item)
        if value is None:
            continue
        if value in first:
            item.errors.append(message.format(line=first[value]))
        else:
            first[value] = item.row.line
