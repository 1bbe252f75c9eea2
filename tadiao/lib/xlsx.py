"""Excel in and out: the upload gate, reading a sheet with python-calamine, header folding, and writing
workbooks with XlsxWriter. Pure helpers, no models; every message is the Chinese text the user sees."""

import datetime
import functools
import io
import os
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import xlsxwriter
from django.conf import settings
from django.utils import timezone
from python_calamine import CalamineWorkbook

if TYPE_CHECKING:
    from django.http import HttpResponse

# An .xlsx of a few thousand rows unpacks to a few MB; these leave ample room while refusing zip bombs.
# Both can be overridden in settings (XLSX_MAX_UNCOMPRESSED_BYTES, XLSX_MAX_ENTRIES).
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 1000
EXCEL_MAX_CELL_CHARS = 32767
_CHUNK = 1024 * 1024


class XlsxError(Exception):
    """An Excel file that cannot be accepted or read. The message is shown to the user as it is."""


# --- the gate -----------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def max_upload_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def check_name(name: str) -> None:
    """Only .xlsx: .xlsm carries macros, .xls/.et/.csv are other formats."""
    suffix = Path(name or "").suffix.lower()
    if suffix == ".xlsm":
        raise XlsxError("不接受启用宏的工作簿（.xlsm），请在 Excel 中另存为 .xlsx 后再上传。")
    if suffix != ".xlsx":
        raise XlsxError("只接受 Excel 工作簿（.xlsx）文件；.xls、.et、.csv 等格式请先另存为 .xlsx。")


def check_upload(fileobj: IO[bytes], *, name: str, size: int | None = None) -> None:
    """The whole gate, before anything parses the file: extension, size, then the archive itself.

    `fileobj` must be seekable; it is left at position 0.
    """
    check_name(name)
    if size is None:
        fileobj.seek(0, os.SEEK_END)
        size = fileobj.tell()
    limit = max_upload_bytes()
    if size > limit:
        raise XlsxError(f"文件过大（{_mb(size)}），最大允许 {_mb(limit)}。")
    if size == 0:
        raise XlsxError("文件是空的。")
    check_archive(fileobj)


def check_archive(source: IO[bytes] | str | os.PathLike) -> None:
    """Refuse what is not an .xlsx zip, and zip bombs: too many entries or too much unpacked data.

    The declared sizes are checked first (cheap), then every entry is inflated once in chunks: Python's
    zipfile stops at the declared size and then fails the CRC check, so a lying header is caught too.
    """
    max_total = int(getattr(settings, "XLSX_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES))
    max_entries = int(getattr(settings, "XLSX_MAX_ENTRIES", DEFAULT_MAX_ENTRIES))
    not_xlsx = (
        "不是有效的 .xlsx 文件（可能是改了扩展名的其他文件、旧版 .xls 或加密的工作簿），"
        "请在 Excel 中另存为 .xlsx 后再上传。"
    )
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise XlsxError(f"文件内部包含 {len(infos)} 个条目，超过上限 {max_entries}，不予处理。")
            declared = sum(info.file_size for info in infos)
            if declared > max_total:
                raise XlsxError(f"文件解压后过大（{_mb(declared)}），超过上限 {_mb(max_total)}，不予处理。")
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise XlsxError(not_xlsx)
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise XlsxError("文件包含宏（VBA），出于安全原因不予接受，请另存为不含宏的 .xlsx 后再上传。")
            total = 0
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as entry:
                    while chunk := entry.read(_CHUNK):
                        total += len(chunk)
                        if total > max_total:
                            raise XlsxError(f"文件解压后超过上限 {_mb(max_total)}，不予处理。")
    except XlsxError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        OSError,
    ) as exc:
        # RuntimeError: an encrypted entry; NotImplementedError: an exotic compression method.
        raise XlsxError(not_xlsx) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


# --- reading ------------------------------------------------------------------------------------------


def fold(text: Any) -> str:
    """A header or label as compared: full-width → half-width (NFKC), no whitespace or invisible marks.

    "总投资（万元）", "总投资(万元)" and " 总投资 (万元)" all fold to "总投资(万元)".
    """
    if text is None:
        return ""
    return _fold(str(text))


@functools.lru_cache(maxsize=4096)  # the same few unit, industry and choice labels on every row of an import
def _fold(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text)
    if normal.isprintable():  # the common case, fast: no control, format or separator character but " "
        return normal.replace(" ", "")
    return "".join(ch for ch in normal if not ch.isspace() and unicodedata.category(ch) != "Cf")


CANNOT_READ = "无法读取该 Excel 文件，文件可能已损坏。请在 Excel 中打开并另存为 .xlsx 后再试。"


def _calamine_sheet(source: str | os.PathLike | IO[bytes], *, sheet: str) -> Any:
    """python-calamine's sheet whose folded name is `sheet`'s; XlsxError when the workbook cannot be read or has no
    such sheet (untrusted input: whatever calamine raises means "cannot read")."""
    try:
        if isinstance(source, (str, os.PathLike)):
            workbook = CalamineWorkbook.from_path(str(source))
        else:
            source.seek(0)
            workbook = CalamineWorkbook.from_filelike(source)
        names = {fold(name): name for name in workbook.sheet_names}
        if fold(sheet) not in names:
            found = "、".join(f"“{n}”" for n in workbook.sheet_names) or "无"
            raise XlsxError(f"工作簿中没有名为“{sheet}”的工作表（现有工作表：{found}）。")
        return workbook.get_sheet_by_name(names[fold(sheet)])
    except XlsxError:
        raise
    except Exception as exc:
        raise XlsxError(CANNOT_READ) from exc


def read_sheet(source: str | os.PathLike | IO[bytes], *, sheet: str) -> list[list[Any]]:
    """All rows of one sheet from A1 on (so list index + 1 is the Excel row number).

    The sheet is found by its folded name. Real Excel dates come back as datetime.date/datetime, numbers
    as float (or int), empty cells as "".
    """
    found = _calamine_sheet(source, sheet=sheet)
    try:
        rows = found.to_python(skip_empty_area=False)
    except Exception as exc:  # untrusted input, as in _calamine_sheet
        raise XlsxError(CANNOT_READ) from exc
    return [list(row) for row in rows]


class SheetRows:
    """One sheet as python-calamine holds it (its cells in Rust memory), handed out as Python lists one row at a
    time from A1 on, so a 100 000-row sheet never exists as 100 000 lists at once. Iterate it as often as
    needed: each pass converts the rows again."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        # iter_rows() starts at row 1 but at the first used column: the columns to the left are put back.
        self._left = sheet.start[1] if sheet.start else 0
        self.height = sheet.end[0] + 1 if sheet.end else 0  # rows from A1 to the last used row, blank ones too

    def __iter__(self) -> Iterator[list[Any]]:
        pad = [""] * self._left
        for row in self._sheet.iter_rows():
            yield pad + row if pad else row


def open_sheet(source: str | os.PathLike | IO[bytes], *, sheet: str) -> SheetRows:
    """One sheet, found by its folded name, for reading row by row (SheetRows); cells as read_sheet returns
    them."""
    found = _calamine_sheet(source, sheet=sheet)
    try:
        return SheetRows(found)
    except Exception as exc:  # untrusted input, as in _calamine_sheet
        raise XlsxError(CANNOT_READ) from exc


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def find_header_row(rows: Sequence[Sequence[Any]], *, marker: str, scan: int = 10) -> int | None:
    """Index of the header row: the first of the top `scan` rows with a cell folding to `marker`.

    Ledgers often carry a title line ("2026年重点项目台账") above the headers.
    """
    wanted = fold(marker)
    for index, row in enumerate(rows[:scan]):
        if any(fold(cell).lstrip("*") == wanted for cell in row):
            return index
    return None


def map_columns(header: Sequence[Any], columns: Mapping[str, Sequence[str]]) -> tuple[dict[str, int], list[str]]:
    """Match header cells to columns: {key: (header, *aliases)} → ({key: column index}, [missing headers]).

    A leading "*" (a required-column mark in many templates) is ignored.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        folded = fold(cell).lstrip("*")
        if not folded:
            continue
        for key, names in columns.items():
            if key not in positions and folded in {fold(n) for n in names}:
                positions[key] = index
                break
    missing = [names[0] for key, names in columns.items() if key not in positions]
    return positions, missing


# --- writing ------------------------------------------------------------------------------------------


# What a column holds, when every cell of it is known to be of one type (or None): its cells are then written without
# looking at each value's type — the same cells as the untyped path writes for those values, faster (a 50 000-row
# ledger is a million cells). "text": str (None and "" left empty); "number": int or float; "money": Decimal
# (#,##0.00); "date": datetime.date, not datetime.
CellKind = Literal["text", "number", "money", "date"]


@dataclass
class XlsxSheet:
    """One sheet to write: a bold, frozen header row, then the rows; `widths` in characters per column; `kinds`
    (optional) the type of each column's cells (see CellKind)."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = ()
    widths: Sequence[int] | None = None
    # Rows written as they are above the header (a title line); the header then sits below them.
    preamble: Sequence[Sequence[Any]] = field(default_factory=list)
    kinds: Sequence[CellKind] | None = None


def _sheet_name(name: str) -> str:
    for bad in "[]:*?/\\":
        name = name.replace(bad, "_")
    return name[:31] or "Sheet1"


def write_xlsx(target: str | os.PathLike | IO[bytes], sheets: Sequence[XlsxSheet], *, large: bool = False) -> None:
    """Write a workbook. Text is always text: "=1+1" or a URL is never turned into a formula or a link.

    Decimals are written as numbers with two decimals, dates as real Excel dates (2026-11-05), aware
    datetimes in local time; None is an empty cell. `large`: rows are flushed to a temporary file as they
    are written (XlsxWriter's constant_memory), so a 50 000-row ledger does not sit in memory.
    """
    path = os.fspath(target) if isinstance(target, (str, os.PathLike)) else target
    workbook = xlsxwriter.Workbook(
        path,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": not large,
            "constant_memory": large,
        },
    )
    formats = {
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        ),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }
    try:
        for spec in sheets:
            sheet = workbook.add_worksheet(_sheet_name(spec.name))
            row_index = 0
            for values in spec.preamble:
                for col, value in enumerate(values):
                    _write_cell(sheet, row_index, col, value, formats)
                row_index += 1
            for col, title in enumerate(spec.headers):
                sheet.write_string(row_index, col, str(title), formats["header"])
            sheet.freeze_panes(row_index + 1, 0)
            for col, width in enumerate(spec.widths or []):
                sheet.set_column(col, col, width)
            if spec.kinds is not None:
                _write_typed_rows(sheet, row_index, spec.rows, spec.kinds, formats)
                continue
            for values in spec.rows:
                row_index += 1
                for col, value in enumerate(values):
                    _write_cell(sheet, row_index, col, value, formats)
    finally:
        workbook.close()


def xlsx_bytes(sheets: Sequence[XlsxSheet], *, large: bool = False) -> bytes:
    """The workbook as bytes, for an HTTP response."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets, large=large)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, sheets: Sequence[XlsxSheet], *, large: bool = False) -> "HttpResponse":
    """The workbook as a download named `filename` (Chinese names are encoded for every browser)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(xlsx_bytes(sheets, large=large), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _write_typed_rows(
    sheet: Any, header_row: int, rows: Iterable[Sequence[Any]], kinds: Sequence[CellKind], formats: dict[str, Any]
) -> None:
    """The rows below `header_row`, each column written by its kind's writer (the cells _write_cell would write)."""
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    wrap, money, date = formats["wrap"], formats["money"], formats["date"]

    def text(row: int, col: int, value: Any) -> None:
        value = str(value)[:EXCEL_MAX_CELL_CHARS]
        write_string(row, col, value, wrap if "\n" in value else None)

    def number(row: int, col: int, value: Any) -> None:
        write_number(row, col, value)

    def money_(row: int, col: int, value: Any) -> None:
        write_number(row, col, float(value), money)

    def date_(row: int, col: int, value: Any) -> None:
        write_datetime(row, col, value, date)

    by_kind = {"text": text, "number": number, "money": money_, "date": date_}
    writers = [(col, by_kind[kind]) for col, kind in enumerate(kinds)]
    for row, values in enumerate(rows, start=header_row + 1):
        for (col, write), value in zip(writers, values, strict=True):
            if value is not None and value != "":
                write(row, col, value)


def _write_cell(sheet: Any, row: int, col: int, value: Any, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), formats["money"])
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        sheet.write_datetime(row, col, value, formats["datetime"])
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, formats["date"])
    else:
        text = str(value)[:EXCEL_MAX_CELL_CHARS]
        if "\n" in text:
            sheet.write_string(row, col, text, formats["wrap"])
        else:
            sheet.write_string(row, col, text)
