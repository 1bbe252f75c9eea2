"""The 周调度 sheet as .xlsx (lib.xlsx) and as .docx in the bulletin's GB/T 9704 layout: A4, margins 37/35/28/26 mm,
title 2号 方正小标宋简体, body 3号 仿宋_GB2312, headings 一、 黑体, tables 五号, digits in Times New Roman, page
numbers "— 1 —" in 4号 宋体 — the East-Asian font (w:eastAsia) set on every run, since Word otherwise falls back to
the theme's. Both are built from the same `queries.Sheet` the HTML page shows."""

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tadiao.lib.dates import cn_date
from tadiao.lib.xlsx import XlsxSheet
from tadiao.weekly.queries import Sheet

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT, BODY_FONT, HEADING_FONT, PAGE_NUMBER_FONT, LATIN_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体", "Times New Roman"
)
SIZE_TITLE, SIZE_BODY, SIZE_PAGE, SIZE_TABLE = Pt(22), Pt(16), Pt(14), Pt(10.5)
LINE = Pt(28.95)  # 225 mm type area / 22 lines (GB/T 9704)

PROGRESS_HEADERS = ["序号", "项目名称", "责任单位", "本周进展", "下周计划", "现场施工人数"]
MISSING_HEADERS = ["序号", "项目名称", "责任单位", "情况"]
PROBLEM_HEADERS = ["序号", "问题", "项目名称", "牵头单位", "提出日期", "办结时限", "状态"]
UNIT_HEADERS = ["序号", "单位", "未按时报送项目数"]
PROBLEM_WIDTHS = [6, 36, 30, 18, 12, 12, 10]


def title(sheet: Sheet) -> str:
    return f"重点项目周调度情况（{sheet.week.label}）"


def filename(sheet: Sheet, suffix: str) -> str:
    return f"周调度_{sheet.week.param}.{suffix}"


# ---------------------------------------------------------------------------------------------------
# Rows, shared by both formats


def progress_rows(sheet: Sheet) -> list[list]:
    return [
        [n, r.project.name, r.project.unit.name, r.progress_text, r.next_week_plan, r.workers_on_site]
        for n, r in enumerate(sheet.reported, start=1)
    ]


def missing_rows(sheet: Sheet) -> list[list]:
    return [
        [n, p.name, p.unit.name, sheet.missing_status.get(p.pk) or "未填报"]
        for n, p in enumerate(sheet.missing, start=1)
    ]


def problem_rows(problems) -> list[list]:
    return [
        [n, p.title, p.project.name if p.project_id else "", p.lead_unit.name, p.raised_date, p.first_deadline,
         p.get_status_display()]
        for n, p in enumerate(problems, start=1)
    ]


def unit_rows(sheet: Sheet) -> list[list]:
    return [[n, u["unit__name"], u["late"]] for n, u in enumerate(sheet.missed_units, start=1)]


# ---------------------------------------------------------------------------------------------------
# .xlsx


def sheets(sheet: Sheet) -> list[XlsxSheet]:
    head = [[title(sheet)], [f"{sheet.week.span}；报送截止 {cn_date(sheet.deadline)}；统计至 {cn_date(sheet.as_of)}"]]
    return [
        XlsxSheet("本周进展", PROGRESS_HEADERS, progress_rows(sheet), widths=[6, 36, 18, 50, 40, 12], preamble=head),
        XlsxSheet("未报送项目", MISSING_HEADERS, missing_rows(sheet), widths=[6, 36, 18, 16]),
        XlsxSheet("本周新增问题", PROBLEM_HEADERS, problem_rows(sheet.new_problems), widths=PROBLEM_WIDTHS),
        XlsxSheet("超期问题", PROBLEM_HEADERS, problem_rows(sheet.overdue_problems), widths=PROBLEM_WIDTHS),
        XlsxSheet("未按时报送单位", UNIT_HEADERS, unit_rows(sheet), widths=[6, 24, 18]),
    ]


# ---------------------------------------------------------------------------------------------------
# .docx


def _fonts(rpr, east_asia: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _run(paragraph, text: str, east_asia: str, size, *, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    _fonts(run._element.get_or_add_rPr(), east_asia)
    return run


def _paragraph(doc, text: str, east_asia: str = BODY_FONT, size=SIZE_BODY, *, center: bool = False,
               indent: bool = True, bold: bool = False):
    paragraph = doc.add_paragraph()
    pf = paragraph.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        pf.first_line_indent = Pt(size.pt * 2)
    if text:
        _run(paragraph, text, east_asia, size, bold=bold)
    return paragraph


def _page_numbers(section) -> None:
    """ "— 1 —" centred in the footer, 4号 宋体, with a PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", PAGE_NUMBER_FONT, SIZE_PAGE)
    run = _run(paragraph, "", PAGE_NUMBER_FONT, SIZE_PAGE)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _run(paragraph, " —", PAGE_NUMBER_FONT, SIZE_PAGE)


def _cell(cell, value, *, header: bool = False) -> None:
    text = cn_date(value) if hasattr(value, "isoformat") else ("" if value is None else str(value))
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, HEADING_FONT if header else BODY_FONT, SIZE_TABLE)


def _borders(table) -> None:
    """Single lines on every cell, set on the table itself (the default document has no "Table Grid" look)."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    properties.append(borders)


def _table(doc, headers: Sequence[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, header, header=True)
    header_row = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    header_row.append(repeat)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell(cell, value)


def docx_bytes(sheet: Sheet) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = SIZE_BODY
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    _page_numbers(section)

    _paragraph(doc, title(sheet), TITLE_FONT, SIZE_TITLE, center=True)
    _paragraph(doc, sheet.week.span, center=True)
    _paragraph(doc, "")
    _paragraph(
        doc,
        f"本周列入周调度项目 {sheet.scheduled_count} 个，已报送周报 {len(sheet.reported)} 个，未报送 "
        f"{len(sheet.missing)} 个；本周新增问题 {len(sheet.new_problems)} 个，超期未办结问题 "
        f"{len(sheet.overdue_problems)} 个。报送截止日期为{cn_date(sheet.deadline)}。",
    )
    sections = [
        ("一、本周项目进展", PROGRESS_HEADERS, progress_rows(sheet)),
        ("二、本周未报送周报的项目", MISSING_HEADERS, missing_rows(sheet)),
        ("三、本周新增问题", PROBLEM_HEADERS, problem_rows(sheet.new_problems)),
        ("四、超期未办结问题", PROBLEM_HEADERS, problem_rows(sheet.overdue_problems)),
        ("五、未按时报送周报的单位", UNIT_HEADERS, unit_rows(sheet)),
    ]
    for heading, headers, rows in sections:
        _paragraph(doc, heading, HEADING_FONT)
        if rows:
            _table(doc, headers, rows)
        elif headers is UNIT_HEADERS and not sheet.deadline_passed:
            _paragraph(doc, f"报送截止日期（{cn_date(sheet.deadline)}）未到。")
        else:
            _paragraph(doc, "无。")
    _paragraph(doc, "")
    _paragraph(doc, f"统计至{cn_date(sheet.as_of)}", indent=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
