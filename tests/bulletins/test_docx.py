"""The .docx in GB/T 9704 layout, opened with python-docx: page, grid, fonts (w:eastAsia), numbers, sentences,
charts and attachments; the committed default template; an uploaded template; the PDF when LibreOffice exists."""

import datetime
import io
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from tadiao.bulletins import charts, docx_render, drafting
from tests.bulletins import snapshot_data

OCT = drafting.Context(month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31), history=(
    {"month": 9, "indicators": snapshot_data.september()["indicators"]},
    {"month": 10, "indicators": snapshot_data.october()["indicators"]},
))


def content(**changes) -> dict:
    draft = drafting.draft(snapshot_data.october(), earlier=snapshot_data.september(), context=OCT)
    result = {
        "title": draft["title"], "doc_number": "X发改〔2026〕12号", "number_prefix": "X发改", "year": 2026,
        "number": 12, "issuer": "X县发展和改革局", "issuer_mark": "X县发展和改革局文件",
        "recipients": "各乡镇（街道）、县直有关单位：", "date_text": "2026年11月5日", "period_text": "2026年10月",
        "months_text": "1—10月", "as_of_text": "2026年10月31日", "region_name": "全县",
        "sections": drafting.numbered(draft["sections"]), "tables": draft["tables"], "charts": draft["charts"],
    }
    result.update(changes)
    return result


@pytest.fixture(scope="module")
def rendered() -> bytes:
    c = content()
    return docx_render.render(content=c, charts=charts.draw(c["charts"]))


def east_asia(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text.startswith(text))


def test_page_margins_and_document_grid(rendered):
    document = Document(io.BytesIO(rendered))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [37.0, 35.0, 28.0, 26.0]
    grid = section._sectPr.find(qn("w:docGrid"))
    # 225 mm / 22 lines = 579 twips; (156 mm / 28 − 16 pt) × 4096 = −848
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch")), grid.get(qn("w:charSpace"))) == (
        "linesAndChars", "579", "-848")


def test_fonts_are_set_explicitly_with_east_asian_names(rendered):
    document = Document(io.BytesIO(rendered))
    title = paragraph(document, "关于2026年1—10月全县重点项目建设情况的通报")
    assert east_asia(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    assert title.alignment == 1  # centred
    heading = paragraph(document, "一、重点项目总体推进情况")
    assert east_asia(heading.runs[0]) == "黑体" and heading.runs[0].font.size.pt == 16
    body = paragraph(document, "截至2026年10月31日")
    assert east_asia(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert body.runs[0].font.name == "Times New Roman"  # digits
    level2 = paragraph(document, "（一）加快项目开工建设。")
    assert [(r.text[:4], east_asia(r)) for r in level2.runs] == [
        ("（一）加", "楷体_GB2312"), ("各单位要", "仿宋_GB2312"),
    ]
    level3 = paragraph(document, "1.高端轴承智能工厂（东城镇）。")
    assert east_asia(level3.runs[0]) == "仿宋_GB2312"
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_numbers_dates_and_sentences(rendered):
    document = Document(io.BytesIO(rendered))
    texts = [p.text for p in document.paragraphs]
    assert "X发改〔2026〕12号" in texts
    assert "2026年11月5日" in texts and "X县发展和改革局" in texts
    assert any("开工率58.82%，较上期提高3.20个百分点" in t for t in texts)
    assert any("1—10月，累计完成投资5.20亿元，占年度计划投资8.00亿元的65.00%" in t for t in texts)
    assert any(t.endswith("南山乡（连续3次榜上有名）、北湖园区。") for t in texts)
    assert "附件：1.2026年1—10月各单位重点项目推进情况表" in texts
    assert "附件5" in texts


def test_page_numbers_in_the_footers(rendered):
    document = Document(io.BytesIO(rendered))
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (document.sections[0].footer, document.sections[0].even_page_footer):
        p = footer.paragraphs[0]
        assert p.text == "— 1 —"  # the field's cached result between the dashes
        assert "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>" in p._p.xml
        assert {east_asia(r) for r in p.runs} == {"宋体"} and {r.font.size.pt for r in p.runs} == {14}
    assert document.sections[0].footer.paragraphs[0].alignment == 2  # odd pages right
    assert document.sections[0].even_page_footer.paragraphs[0].alignment == 0  # even pages left


def test_charts_and_attachment_tables(rendered):
    document = Document(io.BytesIO(rendered))
    names = zipfile.ZipFile(io.BytesIO(rendered)).namelist()
    assert len([n for n in names if n.startswith("word/media/")]) == 2
    assert len(document.inline_shapes) == 2
    assert any(p.text.startswith("图1") and "累计完成投资与序时计划" in p.text for p in document.paragraphs)
    assert len(document.tables) == 5
    units = document.tables[0]
    assert [c.text for c in units.rows[0].cells] == ["序号", "单位", "年度投资完成率", "排名", "开工率", "排名",
                                                     "红灯项目", "黄灯项目"]
    assert [c.text for c in units.rows[1].cells] == ["1", "东城镇", "72.50%", "2", "60.00%", "2", "1", "1"]
    cell_run = units.rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asia(cell_run) == "仿宋_GB2312"


def test_attachment_rows_are_copies_of_one_formatted_row_with_their_own_texts():
    # Body rows are written by copying one formatted row (a province's attachment has 20 000 rows): every row keeps
    # the format and width, and texts with edge spaces, a line break or a tab come back as written.
    rows = [[1, " 前后有空格 ", "东城镇", "红灯：超过计划开工日期\n黄灯：停工"], [2, "项目乙", "西城镇", "甲\t乙"],
            *[[n, f"项目{n}", "南城镇", "红灯"] for n in range(3, 203)]]
    table = {"number": 1, "title": "附件1：预警项目清单", "headers": ["序号", "项目名称", "责任单位", "预警原因"],
             "rows": rows}
    document = Document(io.BytesIO(docx_render.render(content=content(tables=[table]), charts={})))
    grid = document.tables[-1]
    assert len(grid.rows) == 1 + 202
    assert [c.text for c in grid.rows[1].cells] == ["1", " 前后有空格 ", "东城镇", "红灯：超过计划开工日期\n黄灯：停工"]
    assert [c.text for c in grid.rows[2].cells] == ["2", "项目乙", "西城镇", "甲\t乙"]
    assert [c.text for c in grid.rows[202].cells] == ["202", "项目202", "南城镇", "红灯"]
    header_widths = [c.width for c in grid.rows[0].cells]
    for row in (grid.rows[1], grid.rows[2], grid.rows[202]):
        assert [c.width for c in row.cells] == header_widths
        run = row.cells[1].paragraphs[0].runs[0]
        assert east_asia(run) == "仿宋_GB2312" and run.font.size == docx_render.SIZE_TABLE


def test_the_committed_default_template_is_the_built_one():
    """Rebuild with `tadiao build_bulletin_template` after changing build_default_template()."""
    committed = Document(str(docx_render.DEFAULT_TEMPLATE))
    built = Document(io.BytesIO(docx_render.build_default_template()))
    assert [p.text for p in committed.paragraphs] == [p.text for p in built.paragraphs]
    assert "{{ doc_number }}" in [p.text for p in committed.paragraphs]
    assert committed.sections[0].top_margin == built.sections[0].top_margin


def test_an_uploaded_template_with_the_documented_variables(tmp_path):
    template = Document()
    for text in ("{{ issuer_mark }}", "{{ doc_number }}", "{{ title }}", "{{ months_text }}共{{ sections|length }}部分",
                 "{% for s in sections %}{{ s.title }}；{% endfor %}", "{{p body }}", "{{ chart_ranking }}",
                 "{{ date_text }}"):
        template.add_paragraph(text)
    buffer = io.BytesIO()
    template.save(buffer)
    docx_render.check_template(buffer.getvalue())
    c = content()
    path = tmp_path / "upload.docx"
    path.write_bytes(buffer.getvalue())
    result = Document(io.BytesIO(docx_render.render(content=c, charts=charts.draw(c["charts"]), template=path)))
    texts = [p.text for p in result.paragraphs]
    assert texts[1] == "X发改〔2026〕12号"
    assert "1—10月共7部分" in texts
    assert any(t.startswith("一、重点项目总体推进情况；二、招商引资工作情况；") for t in texts)
    assert len(result.inline_shapes) == 3  # two charts in the body, the ranking chart again by its variable


def test_a_broken_template_is_refused_in_chinese():
    template = Document()
    template.add_paragraph("{{ title ")
    buffer = io.BytesIO()
    template.save(buffer)
    with pytest.raises(docx_render.RenderError, match="通报模板无法使用"):
        docx_render.check_template(buffer.getvalue())
    with pytest.raises(docx_render.RenderError):
        docx_render.check_template(b"not a zip")


def test_pdf_through_libreoffice(rendered):
    if docx_render.soffice() is None:
        pytest.skip("LibreOffice（soffice）未安装：跳过 PDF 转换测试。")
    pdf = docx_render.to_pdf(rendered)
    assert pdf.startswith(b"%PDF")
