"""One implausible figure must not flatten a chart (issue 15, point 7): the value axis stops at a cap, the outlier's
bar is drawn to it and labelled with its true value, every other bar is unchanged."""

from decimal import Decimal
from types import SimpleNamespace

from tadiao.dashboard import charts
from tadiao.lib.outliers import axis_cap, rate_axis_cap, robust_max

CODE = "annual_investment_completion"


def _ranking(percents):
    rows = [
        SimpleNamespace(
            unit=SimpleNamespace(pk=n, name=f"单位{n}"),
            rates={CODE: SimpleNamespace(percent=None if p is None else Decimal(p))},
        )
        for n, p in enumerate(percents, start=1)
    ]
    return SimpleNamespace(rows=rows)


# Ranked order, the first highest: 东城 entered 3.79 万元 as its plan and shows 2506.6%.
RANKED = ["2506.60", "95.00", "88.10", "80.00", "75.50", "70.00", "66.00", "60.00", "55.00", "50.00", "41.20", "30.00"]


def test_one_outlier_caps_the_axis_and_keeps_its_true_value_in_the_label():
    option = charts.unit_ranking(_ranking(RANKED), code=CODE)
    # By hand: 12 rates, the 90th percentile by nearest rank is the 11th smallest (ceil(10.8) = 11), 95.00;
    # × 1.5 = 142.5, rounded up to 143: above the 100% floor, below the 200% ceiling.
    assert option["xAxis"]["max"] == 143.0
    data = option["series"][0]["data"]
    outlier = data[-1]  # the first place is drawn at the top, i.e. last
    assert outlier["value"] == 143.0 and outlier["true_value"] == 2506.6
    assert outlier["label"]["formatter"] == "2506.60%"
    assert "2506.60%" in outlier["tooltip"]["formatter"] and "143%" in outlier["tooltip"]["formatter"]
    # The others are drawn to scale, labelled with their own value (two decimals), in the series' colour.
    others = data[:-1]
    assert [d["value"] for d in others] == [float(p) for p in reversed(RANKED[1:])]
    assert [d["label"]["formatter"] for d in others] == [f"{p}%" for p in reversed(RANKED[1:])]
    assert all("true_value" not in d and "itemStyle" not in d for d in others)
    assert "143%" in option["title"]["subtext"]


def test_no_outlier_leaves_the_axis_alone():
    option = charts.unit_ranking(_ranking(["120.00", "95.00", "50.00", None]), code=CODE)
    assert "max" not in option["xAxis"] and "title" not in option
    assert [d["value"] for d in option["series"][0]["data"]] == [50.0, 95.0, 120.0]  # no rate: left out


def test_few_bars_are_capped_at_200_percent():
    # Three units: the percentile is the outlier itself, so the 200% ceiling for rates holds the axis.
    option = charts.unit_ranking(_ranking(["2506.60", "50.00", "30.00"]), code=CODE)
    assert option["xAxis"]["max"] == 200.0
    assert [d["value"] for d in option["series"][0]["data"]] == [30.0, 50.0, 200.0]


def test_axis_cap_by_hand():
    values = [Decimal(v) for v in ["10", "20", "30", "40", "50", "60", "70", "80", "90", "1000"]]
    assert robust_max(values) == Decimal("135.0")  # 9th of 10 (ceil(9.0)) is 90; × 1.5
    assert axis_cap(values) == Decimal("135")
    assert axis_cap(values[:-1]) is None  # nothing beyond 1.5 × the percentile
    assert rate_axis_cap([Decimal("40"), Decimal("60")]) is None
    assert rate_axis_cap([]) is None


def test_no_ranking_gives_an_empty_chart():
    option = charts.unit_ranking(None, code=CODE)
    assert option["series"][0]["data"] == [] and option["yAxis"]["data"] == []
