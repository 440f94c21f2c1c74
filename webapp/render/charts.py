"""Charts drawn server-side as inline SVG: no script, no asset fetched from anywhere."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ["#b71c1c", "#c62828", "#ad1457", "#6a1b9a", "#283593", "#00695c", "#ef6c00", "#4e342e"]
FONT = "font-family=\"'PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif\""


def _nice_max(value: int) -> int:
    """A round upper bound for an axis."""
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        bound = int(step * magnitude)
        if bound >= value:
            return bound
    return value


def _count_ticks(value: int) -> list[int]:
    """The value axis of a chart of counts: whole numbers only (0, 10, 20… never 12.5), at most six ticks
    from 0 to a round bound at or above `value` (0–5 in ones for small counts)."""
    value = max(value, 5)
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if -(-value // step) <= 5:
                return list(range(0, step * -(-value // step) + 1, step))
        magnitude *= 10


def horizontal_bars(items: list[tuple[str, int]], *, title: str, unit: str = "件") -> Markup:
    """One labelled bar per item (the outcome chart)."""
    label_w, bar_w, row_h, top = 92, 230, 30, 8
    width, height = label_w + bar_w + 60, top + row_h * len(items) + 8
    peak = _nice_max(max((v for _, v in items), default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" {FONT} font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = round(bar_w * value / peak, 1) if peak else 0
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="#333">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="20" fill="#f1f1f1"/>'
            f'<rect x="{label_w}" y="{y + 5}" width="{w}" height="20" fill="{colour}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 19}" fill="#333">{value}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


def columns(items: list[tuple[str, int]], *, title: str) -> Markup:
    """One column per item with a value axis (the monthly intake chart)."""
    left, right, top, bottom = 36, 8, 12, 28
    col_w = 28
    width = left + right + col_w * len(items)
    plot_h = 160
    height = top + plot_h + bottom
    ticks = _count_ticks(max((v for _, v in items), default=0))
    peak = ticks[-1]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#666">{tick}</text>'
        )
    for i, (label, value) in enumerate(items):
        h = plot_h * value / peak if peak else 0
        x = left + i * col_w
        parts.append(
            f'<rect x="{x + 5}" y="{top + plot_h - h:.1f}" width="{col_w - 10}" height="{h:.1f}" '
            'fill="#b71c1c">'
            f"<title>{escape(label)}：{value}</title></rect>"
            f'<text x="{x + col_w / 2}" y="{height - 10}" text-anchor="middle" fill="#333">'
            f"{escape(label)}</text>"
        )
        if value:
            parts.append(
                f'<text x="{x + col_w / 2}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'fill="#333" font-size="10">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)
