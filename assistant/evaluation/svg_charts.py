"""Small inline SVG charts (grouped bars, histograms) with no plotting library; every text is escaped."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}">'
        f'<text x="8" y="16" {_FONT} font-weight="bold">{escape(title)}</text>' + "".join(body) + "</svg>"
    )


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above the value (1 for nothing), for an axis's top."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _axis(left: float, top: float, width: float, height: float, maximum: float, unit: str) -> list[str]:
    parts = []
    for i in range(5):
        value = maximum * i / 4
        y = top + height - height * i / 4
        label = f"{value:g}{unit}"
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{escape(label)}</text>')
    return parts


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    maximum: float | None = None,
    unit: str = "",
) -> str:
    """Bars grouped by category, one colour per series, with a legend; ``maximum`` fixes the axis top (1 for rates)."""
    names = list(series)
    top_value = maximum or nice_ceiling(max((v for values in series.values() for v in values), default=0.0))
    bar, gap = 12, 14
    left, top, plot_height, bottom = 48, 44, 180, 90
    group = bar * max(len(names), 1) + gap
    width = left + group * len(categories) + 16
    parts = _axis(left, top, group * len(categories), plot_height, top_value, unit)
    for c, category in enumerate(categories):
        x0 = left + c * group + gap / 2
        for s, name in enumerate(names):
            value = series[name][c]
            height = plot_height * min(max(value, 0.0), top_value) / top_value
            x, y = x0 + s * bar, top + plot_height - height
            tip = escape(f"{name} · {category}: {value:.3f}{unit}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1}" height="{height:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{tip}</title></rect>'
            )
        label_x, label_y = x0 + bar * len(names) / 2, top + plot_height + 12
        parts.append(
            f'<text x="{label_x:.1f}" y="{label_y}" text-anchor="end" transform="rotate(-35 {label_x:.1f} {label_y})" '
            f"{_FONT}>{escape(category)}</text>"
        )
    for s, name in enumerate(names):
        x = left + s * 110
        parts.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="33" {_FONT}>{escape(name)}</text>')
    width = max(width, left + 110 * len(names))
    return _svg(width, top + plot_height + bottom, title, parts)


def histogram(title: str, values: Sequence[float], *, bins: int = 20, unit: str = "ms") -> str:
    """How many values fall in each of ``bins`` equal ranges from 0; outliers far above the rest share the last bar."""
    left, top, plot_width, plot_height = 48, 30, 480, 160
    ordered = sorted(values)
    typical = ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0
    high = nice_ceiling(max(ordered, default=0.0))
    if typical and high > 4 * typical:
        high = nice_ceiling(2 * typical)
    overflow = any(value > high for value in ordered)
    counts = [0] * bins
    for value in ordered:
        counts[min(int(max(value, 0.0) / high * bins), bins - 1)] += 1
    tallest = nice_ceiling(max(counts, default=0) or 1)
    parts = _axis(left, top, plot_width, plot_height, tallest, "")
    step = plot_width / bins
    for i, count in enumerate(counts):
        height = plot_height * count / tallest
        low_edge = high * i / bins
        edge = "or more" if overflow and i == bins - 1 else f"to {high * (i + 1) / bins:g}"
        tip = escape(f"{low_edge:g} {edge} {unit}: {count}")
        parts.append(
            f'<rect x="{left + i * step:.1f}" y="{top + plot_height - height:.1f}" width="{step - 1:.1f}" '
            f'height="{height:.1f}" fill="{PALETTE[0]}"><title>{tip}</title></rect>'
        )
    base = top + plot_height + 14
    for i in range(0, bins + 1, max(bins // 5, 1)):
        x = left + i * step
        label = f"{high * i / bins:g}" + ("+" if overflow and i == bins else "")
        parts.append(f'<text x="{x:.1f}" y="{base}" text-anchor="middle" {_FONT}>{label}</text>')
    caption = unit + (f" (the last bar holds everything above {high * (bins - 1) / bins:g})" if overflow else "")
    parts.append(
        f'<text x="{left + plot_width / 2}" y="{base + 16}" text-anchor="middle" {_FONT}>{escape(caption)}</text>'
    )
    return _svg(left + plot_width + 20, base + 24, title, parts)
