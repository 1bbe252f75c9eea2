"""Pure parsing of spreadsheet cells: dates, money, choices by Chinese label, tags, codes.

Each parser takes the raw value python-calamine gives (str, float, int, bool, date, datetime or "") and
returns a clean value or raises CellError with the Chinese message the user reads; the caller prefixes
the column name ("签约日期：…").
"""

import datetime
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tadiao.lib.xlsx import fold
from tadiao.projects.models import PROJECT_CODE_RE

CENT = Decimal("0.01")
# Excel's day 0 for the 1900 date system (the 1900-02-29 bug makes it the 30th, not the 31st).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# A project date outside these years is a typo (a money figure in a date column, "224-03-05" …).
MIN_YEAR, MAX_YEAR = 1980, 2100
MONEY_LIMIT = Decimal(10) ** 14  # DecimalField(max_digits=16, decimal_places=2)
# Dates written with -, / or . (the same one twice), or as 2024年3月5日; a time part after a space is ignored.
_DATE_SEP = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DATE_CN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_TIME_SUFFIX = re.compile(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_TAG_SEPARATORS = re.compile(r"[、;；,，\n]")
DATE_HINT = "请填写如 2024-03-05、2024/3/5 或 2024年3月5日 的日期"
# Years of plans and reporting months (the annual plan's database constraint: 2000–2100).
PLAN_MIN_YEAR, PLAN_MAX_YEAR = 2000, 2100
# A month written as 2024-04, 2024/4, 2024.4 or 2024年4月 (a whole date such as 2024-04-15 is read by parse_date).
_MONTH_SEP = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_CN = re.compile(r"(\d{4})年(\d{1,2})月?")
_YEAR_TEXT = re.compile(r"(\d{4})(?:年度?)?")
MONTH_HINT = "请填写如 2024-04、2024/4 或 2024年4月 的年月"


# Every import template's example row starts with this; importing it unchanged is refused with EXAMPLE_ROW_ERROR.
EXAMPLE_MARK = "示例："
EXAMPLE_ROW_ERROR = "这是导入模板中的示例行，请改写或删除后再导入。"


class CellError(ValueError):
    """A cell that cannot be read. The message is shown in the 错误原因 column."""


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as 2024-03-05, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: Any) -> datetime.date | None:
    """2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, a real Excel date, or an Excel serial number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"无法识别为日期，{DATE_HINT}。")
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, (int, float)):
        # A date cell formatted as a number, or typed in a "general" cell: the serial day count.
        if not math.isfinite(value) or value < 1:
            raise CellError(f"“{cell_text(value)}”无法识别为日期，{DATE_HINT}。")
        try:
            day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
        except OverflowError as exc:
            raise CellError(f"“{cell_text(value)}”无法识别为日期，{DATE_HINT}。") from exc
    else:
        original = str(value).strip()
        text = _nfkc(original)
        if not text:
            return None
        text = _TIME_SUFFIX.sub("", text)
        text = "".join(text.split())
        match = _DATE_SEP.fullmatch(text)
        parts = (match.group(1), match.group(3), match.group(4)) if match else None
        if parts is None and (match := _DATE_CN.fullmatch(text)):
            parts = match.groups()
        if parts is None:
            raise CellError(f"“{original}”无法识别为日期，{DATE_HINT}。")
        try:
            day = datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError as exc:
            raise CellError(f"“{original}”不是有效的日期（月份或日期超出范围）。") from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CellError(f"日期 {day:%Y-%m-%d} 超出合理范围（{MIN_YEAR}—{MAX_YEAR} 年），请检查是否填错。")
    return day


def parse_money(value: Any) -> Decimal | None:
    """An amount in 万元: a number, or text such as "1,234.5"; never negative, at most two decimals."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("应填写数字。")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("应填写数字。")
        amount = Decimal(repr(value))
        rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        # Excel stores 0.1 + 0.2 as 0.30000000000000004: binary noise, not a third decimal the user typed.
        if abs(amount - rounded) < Decimal("0.000001"):
            amount = rounded
    elif isinstance(value, (datetime.date, datetime.datetime)):
        raise CellError(f"应填写数字，不能是日期（{cell_text(value)}）。")
    else:
        original = str(value).strip()
        text = "".join(_nfkc(original).split())
        for unit in ("万元", "万"):
            text = text.removesuffix(unit)
        if not text:
            return None
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise CellError(f"“{original}”不是有效的数字（千分位逗号位置不对）。")
            text = text.replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(f"“{original}”不是有效的数字。") from exc
        if not amount.is_finite():
            raise CellError(f"“{original}”不是有效的数字。")
    if amount < 0:
        raise CellError(f"不能为负数（{cell_text(value)}）。")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise CellError(f"最多保留两位小数（{cell_text(value)}），请先在表格中四舍五入。")
    if amount >= MONEY_LIMIT:
        raise CellError(f"数额过大（{cell_text(value)}），单位为万元，请检查是否填错。")
    return amount.quantize(CENT)


def parse_int(value: Any, *, minimum: int = 0) -> int | None:
    """A whole number, from a number cell or text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("应填写整数。")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise CellError(f"应填写整数（{cell_text(value)}）。")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = "".join(_nfkc(str(value)).split())
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            raise CellError(f"应填写整数（{value}）。")
        number = int(text)
    if number < minimum:
        raise CellError(f"不能小于 {minimum}（{number}）。")
    return number


def parse_year(value: Any) -> int | None:
    """A plan year: 2024, "2024", "2024年" or "2024年度", between 2000 and 2100."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.datetime)):
        raise CellError(f"应填写四位年份，如 2024（{cell_text(value)}）。")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise CellError(f"应填写四位年份，如 2024（{cell_text(value)}）。")
        year = int(value)
    elif isinstance(value, int):
        year = value
    else:
        original = str(value).strip()
        text = "".join(_nfkc(original).split())
        if not text:
            return None
        match = _YEAR_TEXT.fullmatch(text)
        if match is None:
            raise CellError(f"“{original}”不是有效的年份，应填写四位年份，如 2024。")
        year = int(match.group(1))
    if not PLAN_MIN_YEAR <= year <= PLAN_MAX_YEAR:
        raise CellError(f"应在 {PLAN_MIN_YEAR}—{PLAN_MAX_YEAR} 年之间（{year}）。")
    return year


def parse_month(value: Any) -> datetime.date | None:
    """A reporting month as its first day: 2024-04, 2024/4, 2024.4, 2024年4月, a whole date in any form
    parse_date reads (2024-04-15), or a real Excel date cell; the day is dropped.

    A number is refused: 2024.1 typed in a general cell could be January or October.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        month = value.date().replace(day=1)
    elif isinstance(value, datetime.date):
        month = value.replace(day=1)
    elif isinstance(value, (bool, int, float)):
        raise CellError(f"“{cell_text(value)}”无法识别为年月，{MONTH_HINT}（请以文本填写）。")
    else:
        original = str(value).strip()
        text = "".join(_nfkc(original).split())
        if not text:
            return None
        match = _MONTH_SEP.fullmatch(text) or _MONTH_CN.fullmatch(text)
        if match is not None:
            try:
                month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
            except ValueError as exc:
                raise CellError(f"“{original}”不是有效的年月（月份应为 1—12）。") from exc
        else:
            try:
                day = parse_date(text)
            except CellError as exc:
                raise CellError(f"“{original}”无法识别为年月，{MONTH_HINT}。") from exc
            assert day is not None  # text is not empty
            month = day.replace(day=1)
    if not PLAN_MIN_YEAR <= month.year <= PLAN_MAX_YEAR:
        raise CellError(f"{month.year}年{month.month}月超出合理范围（{PLAN_MIN_YEAR}—{PLAN_MAX_YEAR} 年），"
                        "请检查是否填错。")
    return month


def choice_parser(*, choices: Mapping[str, str], synonyms: Mapping[str, str] | None = None
                  ) -> Callable[[Any], str | None]:
    """A parser of a choice given by its Chinese label (`choices`: label → code), compared folded; built
    once per import, used for every row.

    "产业项目" is accepted for "产业": the word 项目 is commonly appended in ledgers.
    """
    lookup = {fold(label): code for label, code in choices.items()}
    lookup.update({fold(label): code for label, code in (synonyms or {}).items()})
    allowed = "、".join(choices)

    def parse(value: Any) -> str | None:
        text = cell_text(value)
        if not text:
            return None
        folded = fold(text)
        for candidate in (folded, folded.removesuffix("项目"), folded.removesuffix("类")):
            if candidate in lookup:
                return lookup[candidate]
        raise CellError(f"“{text}”不是有效的选项，可填：{allowed}。")

    return parse


def parse_choice(value: Any, *, choices: Mapping[str, str], synonyms: Mapping[str, str] | None = None) -> str | None:
    """One choice cell; see choice_parser."""
    return choice_parser(choices=choices, synonyms=synonyms)(value)


def split_tags(value: Any) -> list[str]:
    """Tags separated by 、 ; ； , ， or line breaks; duplicates and empty parts dropped, order kept.

    The names themselves are not normalised: they must equal the stored tags for a re-import to be a no-op.
    """
    text = cell_text(value)
    tags: list[str] = []
    for part in _TAG_SEPARATORS.split(text):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def parse_project_code(value: Any) -> str:
    """The national approval-platform code (NNNN-NNNNNN-NN-NN-NNNNNN), or "" when empty."""
    original = cell_text(value)
    code = "".join(_nfkc(original).translate(_DASHES).split())
    if not code:
        return ""
    if not re.fullmatch(PROJECT_CODE_RE, code):
        raise CellError(f"“{original}”格式不正确，应为 NNNN-NNNNNN-NN-NN-NNNNNN（24 位，含 4 个连字符），"
                        "例如 2024-330182-04-01-123456。")
    return code


def parse_region_code(value: Any) -> str:
    """A GB/T 2260 code: 6 digits (12 below county level), even when Excel turned it into a number."""
    text = "".join(_nfkc(cell_text(value)).split())
    if not text:
        return ""
    if not re.fullmatch(r"[0-9]{6}|[0-9]{12}", text):
        raise CellError(f"“{text}”不是有效的区划代码（应为 6 位或 12 位数字）。")
    return text


_BATCH_ENTRY = re.compile(r"^第(\d{1,4})期(签约|开工|投产)一批$")
BATCH_KIND_BY_WORD = {"签约": "SIGN", "开工": "START", "投产": "PRODUCE"}


def parse_batch_entries(value: Any) -> list[tuple[int, str]]:
    """"三个一批" entries like `第7期开工一批；第8期签约一批` → [(7, "START"), (8, "SIGN")], in the cell's order,
    duplicates dropped. Separated like tags; spaces inside an entry and full-width digits are tolerated."""
    entries: list[tuple[int, str]] = []
    for part in split_tags(value):
        match = _BATCH_ENTRY.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", part)))
        if match is None:
            raise CellError(f"“{part}”不是“第N期签约一批/开工一批/投产一批”的格式，多条之间用分号或顿号分隔。")
        entry = (int(match.group(1)), BATCH_KIND_BY_WORD[match.group(2)])
        if entry not in entries:
            entries.append(entry)
    return entries
