"""Charts for the report page, drawn by the server as inline SVG: no script, so the page's
Content-Security-Policy stays as it is. Each has a <title> and <desc> (aria-labelledby), and
the page follows each with the same numbers as a table. A hidden value is drawn as no bar and
written as it is shown ("1-10", or a dash)."""

from __future__ import annotations

from itertools import count as counter
from typing import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 360, 220  # about a phone's width, so text stays readable at 375 px
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 42
COLOURS = ("#2b6cb0", "#9c4221", "#2f855a", "#6b46c1")  # dark enough for white text and print
_ids = counter(1)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _written(value: object, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "%":
        return f"{100 * float(value):.0f}%"  # type: ignore[arg-type]
    return f"{float(value):g}"  # type: ignore[arg-type]


def bar_chart(title: str, description: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[object]]],
              unit: str = "", stacked: bool = False) -> Markup:
    """Vertical bars per label (grouped, or stacked), with a legend when there are several series.
    For unit "%" the values are fractions (0 to 1) and the scale runs to 100 %."""
    n = next(_ids)
    scale_values = [_number(v) or 0.0 for _, values in series for v in values]
    if stacked:
        scale_values = [sum(_number(values[i]) or 0.0 for _, values in series) for i in range(len(labels))]
    top = 1.0 if unit == "%" else max([*scale_values, 1.0])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    per = 1 if stacked else max(len(series), 1)
    bar = max(slot * 0.8 / per, 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
             f'class="chart" aria-labelledby="chart{n}-title chart{n}-desc" font-family="sans-serif" font-size="11">',
             f'<title id="chart{n}-title">{escape(title)}</title><desc id="chart{n}-desc">{escape(description)}</desc>']
    for tick in (0.0, 0.5, 1.0):  # three gridlines: 0, half, top
        y = TOP + plot_h * (1 - tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#cbd5e0"/>')
        words = f"{100 * tick:.0f}%" if unit == "%" else f"{top * tick:g}"
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#2d3748">{escape(words)}</text>')
    every = max(1, round(len(labels) / 6))  # at most about six labels under the axis
    tilt = max((len(name) for name in labels), default=0) * 6 > slot * every
    for i, name in enumerate(labels):
        x0 = LEFT + slot * i + slot * 0.1
        base = TOP + plot_h
        for k, (_, values) in enumerate(series):
            value = values[i]
            number = _number(value)
            x = x0 if stacked else x0 + bar * k
            if number is None:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - 3:.1f}" text-anchor="middle" font-size="9" '
                             f'fill="#4a5568">{escape(_written(value, unit))}</text>')
                continue
            h = plot_h * min(number / top, 1.0) if top else 0.0
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{COLOURS[k % len(COLOURS)]}"><title>{escape(name)}: '
                         f'{escape(_written(value, unit))}</title></rect>')
            if stacked:
                base -= h
        if i % every == 0 and tilt:  # long names (outcomes, languages) slant so they do not overlap
            x, y = LEFT + slot * (i + 0.5), HEIGHT - BOTTOM + 12
            parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="end" font-size="9" transform="rotate(-30 {x:.1f} {y})" '
                         f'fill="#2d3748">{escape(name)}</text>')
        elif i % every == 0:
            parts.append(f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
                         f'fill="#2d3748">{escape(name)}</text>')
    if len(series) > 1:
        x = LEFT
        for k, (name, _) in enumerate(series):
            parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{COLOURS[k % len(COLOURS)]}"/>'
                         f'<text x="{x + 14}" y="{HEIGHT - 5}" fill="#2d3748">{escape(name)}</text>')
            x += 14 + 7 * len(name) + 12
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: every word and name above went through escape()
