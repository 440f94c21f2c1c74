"""The charts of the reports: counts are whole numbers, so is every tick of the value axis."""

from __future__ import annotations

import re

import pytest

from webapp.render.charts import columns

MONTHS = [f"{m}月" for m in range(1, 13)]


def axis(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#666">([^<]+)</text>', svg)


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, ["0", "1", "2", "3", "4", "5"]),
        (3, ["0", "1", "2", "3", "4", "5"]),
        (7, ["0", "2", "4", "6", "8"]),
        (37, ["0", "10", "20", "30", "40"]),
        (50, ["0", "10", "20", "30", "40", "50"]),
        (243, ["0", "50", "100", "150", "200", "250"]),
        (1999, ["0", "500", "1000", "1500", "2000"]),
    ],
)
def test_the_intake_chart_counts_in_whole_numbers(peak: int, ticks: list[str]):
    values = [peak if m == 3 else peak // 2 for m in range(12)]
    svg = str(columns(list(zip(MONTHS, values, strict=True)), title="每月收到申请数"))
    assert axis(svg) == ticks
    assert "12.5" not in svg and "37.5" not in svg
