"""Write the GB/T 9704 default bulletin template (tadiao/bulletins/default_template.docx, committed as package data).

Run after changing docx_render.build_default_template(); a test checks the committed file matches the builder."""

from pathlib import Path

from django.core.management.base import BaseCommand

from tadiao.bulletins import docx_render


class Command(BaseCommand):
    help = "生成月度通报默认模板（GB/T 9704 版式）"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(docx_render.DEFAULT_TEMPLATE), help="输出文件（默认为包内模板）")

    def handle(self, *args, output: str, **options):
        path = docx_render.write_default_template(Path(output))
        self.stdout.write(f"已生成通报模板：{path}")
