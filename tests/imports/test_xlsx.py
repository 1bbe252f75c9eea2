"""The upload gate (checked before any parsing) and the workbook writer."""

import datetime
import io
import struct
import zipfile
from decimal import Decimal

import pytest

from tadiao.lib import xlsx
from tests.imports.helpers import LEDGER_HEADERS, ledger_row, read_rows, write_workbook


@pytest.fixture
def good_xlsx(tmp_path):
    return write_workbook(tmp_path / "台账.xlsx", headers=LEDGER_HEADERS, rows=[ledger_row(项目名称="甲")])


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _check(data: bytes, name: str = "台账.xlsx"):
    xlsx.check_upload(io.BytesIO(data), name=name, size=len(data))


def test_a_real_workbook_passes(good_xlsx, settings):
    with good_xlsx.open("rb") as handle:
        xlsx.check_upload(handle, name=good_xlsx.name)
        assert handle.tell() == 0  # left ready for storing


@pytest.mark.parametrize(("name", "message"), [
    ("台账.xlsm", "不接受启用宏的工作簿"),
    ("台账.XLSM", "不接受启用宏的工作簿"),
    ("台账.xls", "只接受 Excel 工作簿（.xlsx）"),
    ("台账.csv", "只接受 Excel 工作簿（.xlsx）"),
    ("台账", "只接受 Excel 工作簿（.xlsx）"),
])
def test_only_xlsx_by_name(good_xlsx, name, message):
    with pytest.raises(xlsx.XlsxError, match=message):
        _check(good_xlsx.read_bytes(), name=name)


def test_a_renamed_non_zip_is_refused():
    with pytest.raises(xlsx.XlsxError, match=r"不是有效的 \.xlsx 文件"):
        _check("项目名称,责任单位\n甲,东城镇\n".encode())


def test_a_zip_that_is_not_a_workbook_is_refused():
    with pytest.raises(xlsx.XlsxError, match=r"不是有效的 \.xlsx 文件"):
        _check(_zip_bytes({"readme.txt": b"hello"}))


def test_macros_inside_a_renamed_xlsm_are_refused():
    data = _zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/vbaProject.bin": b"\0"})
    with pytest.raises(xlsx.XlsxError, match="宏"):
        _check(data)


def test_oversize_is_refused_before_reading(good_xlsx, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    data = good_xlsx.read_bytes()
    assert len(data) > 1024
    with pytest.raises(xlsx.XlsxError, match="文件过大"):
        _check(data)


def test_zip_bomb_declaring_a_huge_uncompressed_size():
    # 210 MB of zeros deflate to about 200 KB; refused on the declared size, before anything is inflated.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("xl/workbook.xml", b"<x/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"\0" * (1024 * 1024)
            for _ in range(210):
                entry.write(block)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(xlsx.XlsxError, match="解压后过大"):
        _check(data)


def test_zip_bomb_lying_about_its_size(settings):
    """An entry that declares 1 KB but inflates to 2 MB: zipfile stops at the declared size, the CRC fails."""
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    payload = b"\0" * (2 * 1024 * 1024)
    data = bytearray(_zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>",
                                 "xl/worksheets/sheet1.xml": payload}))
    # Patch the uncompressed size in the entry's local header (offset 22) and central record (offset 24).
    name = b"xl/worksheets/sheet1.xml"
    patched = 0
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset:start + name_offset + len(name)] == name:
                struct.pack_into("<I", data, start + size_offset, 1024)
                patched += 1
            start += 4
    assert patched == 2
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode()).file_size == 1024
    with pytest.raises(xlsx.XlsxError, match=r"不是有效的 \.xlsx 文件"):
        _check(bytes(data))


def test_too_many_entries():
    entries = {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}
    entries |= {f"xl/media/image{i}.png": b"x" for i in range(xlsx.DEFAULT_MAX_ENTRIES)}
    with pytest.raises(xlsx.XlsxError, match="超过上限 1000"):
        _check(_zip_bytes(entries))


def test_read_sheet_finds_the_sheet_by_folded_name(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", headers=["项目名称"], rows=[["甲"]], sheet=" 项目 ")
    assert xlsx.read_sheet(path, sheet="项目") == [["项目名称"], ["甲"]]
    with pytest.raises(xlsx.XlsxError, match="没有名为“单位”的工作表（现有工作表：“ 项目 ”）"):
        xlsx.read_sheet(path, sheet="单位")


def test_writer_keeps_text_as_text_and_dates_as_dates():
    data = xlsx.xlsx_bytes([xlsx.XlsxSheet(
        name="导出/测试",  # "/" is not allowed in a sheet name
        headers=["文本", "金额", "日期", "时间", "空"],
        rows=[["=1+1", Decimal("1234.50"), datetime.date(2024, 3, 5),
               datetime.datetime(2024, 3, 5, 8, 30, tzinfo=datetime.UTC), None],
              ["http://example.com", 7, "001", "多行\n文本", True]],
    )])
    rows = read_rows(data, "导出_测试")
    assert rows[0] == ["文本", "金额", "日期", "时间", "空"]
    # The aware datetime is written in Asia/Shanghai local time (UTC+8).
    assert rows[1] == ["=1+1", 1234.5, datetime.date(2024, 3, 5), datetime.datetime(2024, 3, 5, 16, 30), ""]
    assert rows[2] == ["http://example.com", 7, "001", "多行\n文本", True]


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("large", [False, True])
def test_typed_columns_write_the_same_cells_as_the_untyped_writer(large):
    # The ledger export declares each column's kind and skips the per-cell type test; the sheet must come out the
    # same byte for byte: text kept as text (a formula-like one too, a long one cut at Excel's limit, a multi-line
    # one wrapped), money as numbers with the #,##0.00 format, dates with the date format, None and "" left empty.
    rows = [
        [1, "=1+1", Decimal("1234.50"), datetime.date(2024, 3, 5), "多行\n文本"],
        [2, "", None, None, "长" * (xlsx.EXCEL_MAX_CELL_CHARS + 5)],
        [3, "甲", Decimal("0"), datetime.date(2026, 12, 31), None],
    ]
    untyped = xlsx.xlsx_bytes([xlsx.XlsxSheet("表", ["序号", "文本", "金额", "日期", "说明"], rows)], large=large)
    typed = xlsx.xlsx_bytes(
        [xlsx.XlsxSheet("表", ["序号", "文本", "金额", "日期", "说明"], rows,
                        kinds=["number", "text", "money", "date", "text"])],
        large=large,
    )
    assert _sheet_xml(typed) == _sheet_xml(untyped)
    assert read_rows(typed, "表")[1:] == [
        [1, "=1+1", 1234.5, datetime.date(2024, 3, 5), "多行\n文本"],
        [2, "", "", "", "长" * xlsx.EXCEL_MAX_CELL_CHARS],
        [3, "甲", 0, datetime.date(2026, 12, 31), ""],
    ]
