"""Benchmark: the indicator engine against one hand-written SQL query, on a province-scale database.

    .venv/bin/python benchmarks/indicators.py [--projects 30000] [--units 1000] [--months 36] [--repeat 3]

Builds a fresh SQLite database in a temporary folder (or uses DATABASE_URL, which must point at an empty database),
then times, in the same run, the engine's compute_indicators() and the hand-written query for the same figures,
checks that both agree, and prints the times and their ratio (engine / hand-written). Speed claims are this ratio.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=30000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadiao.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["TADIAO_DATA_DIR"] = tempfile.mkdtemp(prefix="tadiao-bench-")
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import handwritten, province
    from tadiao.indicators import queries
    from tadiao.lib.dates import month_end
    from tadiao.projects.models import Project

    call_command("migrate", verbosity=0)
    first = datetime.date(2024, 1, 1)
    started = time.perf_counter()
    built = province.build(projects=args.projects, units=args.units, months=args.months, first_month=first)
    print(f"数据：{built}（生成 {time.perf_counter() - started:.1f} 秒）")
    last_month = province._months(first, args.months)[-1]
    as_of = month_end(last_month)

    def best(fn):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        return min(times), result

    engine_time, engine = best(lambda: queries.compute_indicators(Project.objects.all(), as_of=as_of))
    hand_time, hand = best(lambda: handwritten.figures(as_of))
    for code, percent in hand.items():
        mine = engine.rates[code].percent
        if (None if mine is None else str(mine)) != percent:
            print(f"不一致：{code} 引擎 {mine} ≠ 手写 SQL {percent}")
            return 1
    print(f"统计日期 {as_of}：两种算法结果一致（{len(hand)} 个比率）")
    print(f"指标引擎 compute_indicators：{engine_time * 1000:.0f} ms（取 {args.repeat} 次最快）")
    print(f"手写单条 SQL：{hand_time * 1000:.0f} ms")
    print(f"比值（引擎 / 手写）：{engine_time / hand_time:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
