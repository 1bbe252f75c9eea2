"""`tadiao audit_verify [--head SEQ:HASH]`: checks the audit log's hash chain and prints its head."""

import re

from django.core.management.base import BaseCommand, CommandError

from tadiao.audit import chain

HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = ("核对审计日志的哈希链：逐条重算哈希，报告第一处被改动或缺失的记录（退出码非 0）；"
            "完好时输出链头哈希，请抄录或发送到另一台系统保存。")

    def add_arguments(self, parser):
        parser.add_argument("--head", metavar="序号:哈希",
                            help="以前抄录的链头（本命令输出的“序号:哈希”），核对它之后的记录没有被删除或整体重写")

    def handle(self, *args, head=None, **options):
        expected = None
        if head:
            match = HEAD.match(head.strip().lower())
            if match is None:
                raise CommandError(f"--head 应为“序号:64 位十六进制哈希”，例如 1234:{'0' * 64}，而不是 {head!r}。")
            expected = (int(match[1]), match[2])
        result = chain.verify(expected_head=expected)
        if not result.ok:
            checked = f"（问题之前已核对 {result.count - 1} 条）" if result.count > 1 else ""
            raise CommandError(f"审计日志哈希链有问题：{result.problem.message}{checked}")
        if result.count == 0:
            self.stdout.write("审计日志为空，没有需要核对的记录。")
            return
        self.stdout.write(f"审计日志哈希链完整：共 {result.count} 条记录"
                          f"（第 {result.first_seq} 至 {result.head_seq} 条），逐条核对无误。")
        if result.anchored_by is not None:
            self.stdout.write(f"第 {result.first_seq} 条之前的记录已由清理命令按保留期清理，"
                              f"清理记录为第 {result.anchored_by} 条，链从它记下的哈希接续。")
        if expected is not None:
            self.stdout.write(f"外部保存的链头第 {expected[0]} 条核对一致。")
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(f"链头：第 {result.head_seq} 条（id={result.head_id}，{chain.when(result.head_at)}）")
        self.stdout.write(f"链头哈希：{result.head_seq}:{result.head_hash}")
        self.stdout.write("请把链头哈希抄录或发送到另一台系统保存；以后用 --head 核对，"
                          "可发现此后有人删除最新记录或整体重写哈希链。")
