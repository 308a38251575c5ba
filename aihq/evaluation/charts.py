"""Server-side SVG charts for the briefing pack (WeasyPrint) and for HTML pages.

Pure Python, no JavaScript and no third-party library: every function returns an ``<svg>`` string with
``width``/``height``/``viewBox``, ``role="img"``, an ``aria-label`` and a ``<title>``. Text is escaped, numbers
are formatted compactly (``1.2k``, ``3.4M``, ``−5.0``) and every coordinate is rounded to one decimal, so the
same input always gives the same bytes.

Only SVG features WeasyPrint's renderer handles are used: presentation attributes (no CSS, no
``dominant-baseline``), ``text-anchor``, ``fill-opacity``, ``stroke-dasharray`` and a ``rotate`` transform.
Text widths are estimated from DejaVu Sans metrics, which is the font both WeasyPrint and the browser use.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = [
    "AMBER",
    "FONT_FAMILY",
    "GREEN",
    "GREY",
    "NAVY",
    "NO_DATA",
    "RED",
    "Bubble",
    "bubble_chart",
    "column_chart",
    "format_count",
    "format_number",
    "hbar_chart",
    "stacked_bar",
]

NAVY = "#1f3a5f"
GREY = "#6b7280"
RED = "#c0392b"
AMBER = "#d68910"
GREEN = "#1e8449"
NO_DATA = "#9ca3af"

TEXT = "#1f2937"  # labels: a near-black grey, softer than pure black
GRID = "#e5e7eb"
FONT_FAMILY = "DejaVu Sans, sans-serif"

THIN_SPACE = "\u2009"  # thousands separator
MINUS = "\u2212"
ELLIPSIS = "\u2026"

LABEL_MAX_CHARS = 38
TITLE_SIZE = 12
LABEL_SIZE = 11
SMALL_SIZE = 10
TITLE_BASELINE = 14
LEGEND_ROW = 16

_SCALES: tuple[tuple[float, str], ...] = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T"))


@dataclass(frozen=True)
class NumberStyle:
    """How numbers are written: the decimal mark and the suffixes of thousands, millions, billions, trillions."""

    decimal: str = "."
    suffixes: tuple[str, ...] = ("", "k", "M", "B", "T")


ENGLISH = NumberStyle()
RUSSIAN = NumberStyle(decimal=",", suffixes=("", "\u00a0тыс.", "\u00a0млн", "\u00a0млрд", "\u00a0трлн"))
_STYLE: ContextVar[NumberStyle] = ContextVar("chart_number_style", default=ENGLISH)


def style_for(language: str | None) -> NumberStyle:
    return RUSSIAN if (language or "").startswith("ru") else ENGLISH


@contextmanager
def number_style(style: NumberStyle) -> Iterator[None]:
    """Write the numbers of the charts drawn inside in ``style`` (the same input still gives the same output)."""
    token = _STYLE.set(style)
    try:
        yield
    finally:
        _STYLE.reset(token)


def _suffix(index: int) -> str:
    return _STYLE.get().suffixes[index]


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile("[^\\S\u00a0\u2009\u202f]+")  # collapse line breaks and runs, keep the fixed-width spaces

# Advance widths of DejaVu Sans, in em, for the characters that differ most from the average.
_CHAR_WIDTHS: dict[str, float] = {
    " ": 0.318,
    ".": 0.318,
    ",": 0.318,
    ":": 0.337,
    ";": 0.337,
    "'": 0.275,
    '"': 0.46,
    "!": 0.4,
    "|": 0.337,
    "i": 0.278,
    "j": 0.278,
    "l": 0.278,
    "I": 0.295,
    "f": 0.352,
    "t": 0.392,
    "r": 0.411,
    "(": 0.39,
    ")": 0.39,
    "[": 0.39,
    "]": 0.39,
    "-": 0.361,
    "/": 0.337,
    "%": 0.95,
    "m": 0.974,
    "w": 0.818,
    "M": 0.863,
    "W": 0.989,
    "&": 0.78,
    "<": 0.838,
    ">": 0.838,
    ELLIPSIS: 1.0,
    "\u2014": 1.0,
    "\u2013": 0.5,
    MINUS: 0.838,
    THIN_SPACE: 0.2,
    "\u202f": 0.2,
    "\u00a0": 0.318,
    "\u20ac": 0.636,
}


# --------------------------------------------------------------------------------------------------- formatting


def format_number(value: float, *, trim: bool = False) -> str:
    """Compact number: ``42``, ``5.0``, ``0.25``, ``1.2k``, ``3.4M``, ``−5.0``, ``1\u2009234.0T``.

    Integers below 1000 are shown exactly, other values with one decimal (two below 1) and a ``k``/``M``/``B``/``T``
    suffix from 1000 up. ``trim`` drops a trailing ``.0`` (``2k`` rather than ``2.0k``). Negative numbers use the
    typographic minus; non-finite values give an em dash.
    """
    if not math.isfinite(value):
        return "\u2014"
    if value == 0:
        return "0"
    magnitude = abs(value)
    index = 0
    while index + 1 < len(_SCALES) and magnitude >= _SCALES[index + 1][0]:
        index += 1
    body = _compact_body(value, index)
    if float(body) >= 1000 and index + 1 < len(_SCALES):
        index += 1  # 999.96 → "1.0k", not "1000.0"
        body = _compact_body(value, index)
    suffix = _suffix(index)
    if trim and "." in body:
        body = body.rstrip("0").rstrip(".")
    sign = MINUS if value < 0 and float(body) != 0 else ""
    return sign + _group(body) + suffix


def _compact_body(value: float, index: int) -> str:
    """The digits of ``format_number`` at the scale ``_SCALES[index]``, without sign or suffix."""
    magnitude = abs(value)
    if index == 0 and isinstance(value, int):
        return str(magnitude)
    if index == 0 and magnitude < 1:
        body = f"{magnitude:.2f}"
        return body[:-1] if body.endswith("0") else body
    return f"{magnitude / _SCALES[index][0]:.1f}"


def format_count(value: float) -> str:
    """An exact count with thin-space grouping: ``12\u2009345``; non-integral values keep one decimal."""
    if not math.isfinite(value):
        return "\u2014"
    magnitude = abs(value)
    body = str(round(magnitude)) if float(magnitude).is_integer() else f"{magnitude:.1f}"
    sign = MINUS if value < 0 and float(body) != 0 else ""
    return sign + _group(body)


def _group(body: str) -> str:
    """Group the integer part of a plain decimal string by thousands with a thin space."""
    whole, dot, fraction = body.partition(".")
    if len(whole) > 3:
        groups = []
        while whole:
            groups.append(whole[-3:])
            whole = whole[:-3]
        whole = THIN_SPACE.join(reversed(groups))
    return whole + (_STYLE.get().decimal if dot else "") + fraction


def _tick_formatter(ticks: Sequence[float], step: float) -> list[str]:
    """Labels for axis ticks: one suffix for the whole axis and just enough decimals to tell the ticks apart."""
    largest = max((abs(t) for t in ticks), default=0.0)
    index = 0
    while index + 1 < len(_SCALES) and largest >= _SCALES[index + 1][0]:
        index += 1
    scale, suffix = _SCALES[index][0], _suffix(index)
    scaled_step = step / scale
    decimals = 0
    while decimals < 6 and abs(round(scaled_step, decimals) - scaled_step) > 1e-9 * max(1.0, scaled_step):
        decimals += 1
    labels = []
    for tick in ticks:
        if abs(tick) < step * 1e-9:
            labels.append("0")
            continue
        body = f"{abs(tick) / scale:.{decimals}f}"
        labels.append((MINUS if tick < 0 else "") + _group(body) + suffix)
    return labels


def _percentages(counts: Sequence[float]) -> list[int]:
    """Whole percentages that add up to exactly 100 (largest remainder); zero counts stay at 0."""
    total = sum(counts)
    if total <= 0:
        return [0 for _ in counts]
    raw = [c * 100 / total for c in counts]
    result = [math.floor(r) for r in raw]
    missing = 100 - sum(result)
    order = sorted((i for i, c in enumerate(counts) if c > 0), key=lambda i: (-(raw[i] - result[i]), i))
    for i in order[: max(missing, 0)]:
        result[i] += 1
    return result


def _nice_ticks(low: float, high: float, max_intervals: int = 4, *, whole: bool = False) -> tuple[list[float], float]:
    """Round ticks (1, 2 or 5 × 10ⁿ) covering ``low..high`` in at most ``max_intervals`` steps; ``whole`` (counts)
    keeps the step at 1 or more, so an axis of 0–2 reads 0, 1, 2 rather than 0, 0.5, 1, 1.5, 2."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 if high else 1.0
        low, high = low - pad, high + pad
    exponent = math.floor(math.log10((high - low) / max_intervals))
    if whole:
        exponent = max(exponent, 0)
    step = 10.0**exponent
    start, end = 0, 0
    for multiplier in (1, 2, 5, 10, 20, 50, 100):
        step = multiplier * 10.0**exponent
        start = math.floor(low / step + 1e-9)
        end = math.ceil(high / step - 1e-9)
        if end - start <= max_intervals:
            break
    end = max(end, start + 1)
    ticks = [round((start + i) * step, 10) + 0.0 for i in range(end - start + 1)]
    return ticks, step


# --------------------------------------------------------------------------------------------------------- text


def _clean(text: str) -> str:
    """One line of text without characters XML forbids."""
    return _WHITESPACE.sub(" ", _INVALID_XML.sub("", str(text))).strip()


def _esc(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def _char_width(char: str) -> float:
    known = _CHAR_WIDTHS.get(char)
    if known is not None:
        return known
    if char.isdigit():
        return 0.636
    if "\u0400" <= char <= "\u04ff":  # Cyrillic
        return 0.76 if char.isupper() else 0.64
    if char.isascii() and char.isalpha():
        return 0.72 if char.isupper() else 0.61
    return 0.65


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated rendered width in px of ``text`` in DejaVu Sans at ``size`` px."""
    width = sum(_char_width(c) for c in text) * size * 1.03  # a little generous: clipped text is worse than a gap
    return width * 1.12 if bold else width


def _truncate(text: str, max_chars: int = LABEL_MAX_CHARS) -> str:
    text = _clean(text)
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + ELLIPSIS


def _fit(text: str, max_px: float, size: float, *, bold: bool = False) -> str:
    """Shorten ``text`` with an ellipsis until it fits in ``max_px``."""
    if _text_width(text, size, bold=bold) <= max_px:
        return text
    base = text.removesuffix(ELLIPSIS)
    for length in range(len(base) - 1, 0, -1):
        candidate = base[:length].rstrip() + ELLIPSIS
        if _text_width(candidate, size, bold=bold) <= max_px:
            return candidate
    return ELLIPSIS


# ---------------------------------------------------------------------------------------------------------- SVG


def _n(value: float) -> str:
    """A coordinate rounded to one decimal, without a useless ``.0`` or ``-0``."""
    rounded = round(value, 1)
    if rounded == 0:
        return "0"
    text = f"{rounded:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attrs: Sequence[tuple[str, str | float]]) -> str:
    return "".join(f' {name}="{_esc(value) if isinstance(value, str) else _n(value)}"' for name, value in attrs)


def _el(tag: str, attrs: Sequence[tuple[str, str | float]], content: str | None = None) -> str:
    if content is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = LABEL_SIZE,
    fill: str = TEXT,
    anchor: str = "start",
    bold: bool = False,
    extra: Sequence[tuple[str, str | float]] = (),
) -> str:
    attrs: list[tuple[str, str | float]] = [("x", x), ("y", y), ("font-size", size), ("fill", fill)]
    if anchor != "start":
        attrs.append(("text-anchor", anchor))
    if bold:
        attrs.append(("font-weight", "bold"))
    attrs.extend(extra)
    return _el("text", attrs, _esc(text))


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = GREY, extra: str = "") -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{_esc(stroke)}"'
        f' stroke-width="1"{extra}/>'
    )


def _svg(title: str, width: float, height: float, body: Sequence[str], description: str = "") -> str:
    """Wrap ``body`` in the root element, with the accessible name, the ``<title>`` and the visible title."""
    clean_title = _clean(title)
    visible = _fit(clean_title, width - 2, TITLE_SIZE, bold=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{_esc(clean_title)}"'
        f' font-family="{FONT_FAMILY}" font-size="{LABEL_SIZE}">',
        f"<title>{_esc(clean_title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{_esc(description)}</desc>")
    parts.append(_text(0, TITLE_BASELINE, visible, size=TITLE_SIZE, fill=NAVY, bold=True))
    parts.extend(body)
    parts.append("</svg>")
    return "".join(parts)


def _empty(title: str, empty_text: str, width: int) -> str:
    height = 56
    frame = _el(
        "rect",
        [
            ("class", "empty-frame"),
            ("x", 0.5),
            ("y", 22.5),
            ("width", width - 1),
            ("height", 31),
            ("fill", "#f9fafb"),
            ("stroke", GRID),
            ("stroke-dasharray", "3 3"),
        ],
    )
    message = _text(
        width / 2,
        42,
        _fit(_clean(empty_text), width - 8, LABEL_SIZE),
        fill=GREY,
        anchor="middle",
        extra=[("font-style", "italic"), ("class", "empty")],
    )
    return _svg(title, width, height, [frame, message], description=_clean(empty_text))


def _legend(
    entries: Sequence[tuple[str, str]], *, top: float, width: float, size: float = SMALL_SIZE
) -> tuple[list[str], int]:
    """Legend entries (text, colour) flowed in rows from ``top``; returns the elements and the number of rows."""
    parts: list[str] = []
    x, row = 0.0, 0
    for entry, colour in entries:
        label = _fit(entry, width - 16, size)
        item_width = 14 + _text_width(label, size)
        if x > 0 and x + item_width > width:
            x, row = 0.0, row + 1
        baseline = top + row * LEGEND_ROW + 10
        parts.append(
            _el(
                "rect",
                [("class", "swatch"), ("x", x), ("y", baseline - 9), ("width", 10), ("height", 10), ("fill", colour)],
            )
        )
        parts.append(_text(x + 14, baseline, label, size=size, extra=[("class", "legend")]))
        x += item_width + 14
    return parts, (row + 1 if entries else 0)


def _is_number(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _with_unit(value: float, unit: str) -> str:
    unit = _clean(unit)
    text = format_number(value)
    return f"{text} {unit}" if unit and math.isfinite(value) else text


# ------------------------------------------------------------------------------------------------ horizontal bars


def hbar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    width: int = 520,
    bar_height: int = 18,
    colour: str = NAVY,
    empty_text: str = "No data",
) -> str:
    """Horizontal bars, one per item in the given order; negative values go left of the zero axis, in red."""
    if not items:
        return _empty(title, empty_text, width)
    top = 24.0
    gap = max(4, bar_height // 3)
    row_height = bar_height + gap
    labels = [_truncate(label) for label, _ in items]
    label_width = min(max(_text_width(label, LABEL_SIZE) for label in labels) + 8, width * 0.42)
    labels = [_fit(label, label_width - 8, LABEL_SIZE) for label in labels]
    values = [float(value) if math.isfinite(value) else 0.0 for _, value in items]
    value_texts = [_with_unit(value, unit) for _, value in items]

    positive_room = max(
        (_text_width(t, SMALL_SIZE) for t, v in zip(value_texts, values, strict=True) if v >= 0), default=0
    )
    negative_room = max(
        (_text_width(t, SMALL_SIZE) for t, v in zip(value_texts, values, strict=True) if v < 0), default=0
    )
    positive_room = positive_room + 5 if positive_room else 0.0
    negative_room = negative_room + 5 if negative_room else 0.0
    plot_left, plot_right = label_width, width - 2.0
    span = max(plot_right - plot_left - positive_room - negative_room, 10.0)
    low, high = min(0.0, *values), max(0.0, *values)
    scale = span / (high - low) if high > low else 0.0
    zero_x = plot_left + negative_room - low * scale
    height = top + len(items) * row_height - gap + 6

    body: list[str] = []
    summary: list[str] = []
    for index, (label, value, value_text) in enumerate(zip(labels, values, value_texts, strict=True)):
        y = top + index * row_height
        baseline = y + bar_height / 2 + 4
        end = round(zero_x + value * scale, 1)  # round both ends so the bars meet the axis exactly
        bar_x = min(end, round(zero_x, 1))
        extent = abs(end - round(zero_x, 1))
        fill = RED if value < 0 else colour
        full_label = _clean(items[index][0])
        summary.append(f"{full_label}: {value_text}")
        body.append(_text(label_width - 8, baseline, label, anchor="end", extra=[("class", "label")]))
        body.append(
            _el(
                "rect",
                [("class", "bar"), ("x", bar_x), ("y", y), ("width", extent), ("height", bar_height), ("fill", fill)],
                f"<title>{_esc(full_label)}: {_esc(value_text)}</title>",
            )
        )
        if value < 0:
            body.append(_text(bar_x - 4, baseline - 0.5, value_text, size=SMALL_SIZE, anchor="end", fill=RED))
        else:
            body.append(_text(bar_x + extent + 4, baseline - 0.5, value_text, size=SMALL_SIZE, fill=TEXT))
    body.append(
        _line(zero_x, top - 3, zero_x, height - 3, extra=' class="zero-axis"'),
    )
    return _svg(title, width, height, body, description="; ".join(summary))


# --------------------------------------------------------------------------------------------------- stacked bar


def stacked_bar(
    segments: Sequence[tuple[str, float, str]],
    *,
    title: str,
    width: int = 520,
    height: int = 46,
    empty_text: str = "No data",
) -> str:
    """One 100 % bar split into (label, count, colour) segments, with a "label: count (pct %)" legend below.

    ``height`` covers the title and the bar; the legend adds its rows below. Zero segments are left out of the bar
    but kept in the legend; the legend's whole percentages always add up to 100.
    """
    counts = [max(float(count), 0.0) if math.isfinite(count) else 0.0 for _, count, _ in segments]
    total = sum(counts)
    if not segments or total <= 0:
        return _empty(title, empty_text, width)
    top = 24.0
    bar_height = max(height - top - 4, 8.0)
    percents = _percentages(counts)

    body: list[str] = []
    summary: list[str] = []
    cumulative = 0.0
    for (label, _, colour), count, percent in zip(segments, counts, percents, strict=True):
        summary.append(f"{_clean(label)}: {format_count(count)} ({percent} %)")
        if count <= 0:
            continue
        x_start = round(cumulative / total * width, 1)
        cumulative += count
        x_end = round(cumulative / total * width, 1)
        seg_width = x_end - x_start
        body.append(
            _el(
                "rect",
                [
                    ("class", "segment"),
                    ("x", x_start),
                    ("y", top),
                    ("width", seg_width),
                    ("height", bar_height),
                    ("fill", colour),
                    ("stroke", "#ffffff"),
                    ("stroke-width", 1),
                ],
                f"<title>{_esc(summary[-1])}</title>",
            )
        )
        inside = f"{percent} %"
        if _text_width(inside, SMALL_SIZE, bold=True) + 8 <= seg_width and bar_height >= 12:
            body.append(
                _text(
                    x_start + seg_width / 2,
                    top + bar_height / 2 + 3.5,
                    inside,
                    size=SMALL_SIZE,
                    fill=_contrast_text(colour),
                    anchor="middle",
                    bold=True,
                )
            )
    entries = [
        (f"{_truncate(label)}: {format_count(count)} ({percent} %)", colour)
        for (label, _, colour), count, percent in zip(segments, counts, percents, strict=True)
    ]
    legend, rows = _legend(entries, top=top + bar_height + 8, width=width)
    body.extend(legend)
    total_height = top + bar_height + 8 + rows * LEGEND_ROW + 2
    return _svg(title, width, total_height, body, description="; ".join(summary))


def _contrast_text(colour: str) -> str:
    """White on dark fills, near-black on light ones (colours that are not #rgb/#rrggbb count as dark)."""
    match = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", colour.strip())
    if not match:
        return "#ffffff"
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return TEXT if luminance > 0.6 else "#ffffff"


# --------------------------------------------------------------------------------------------------- column chart


def column_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    title: str,
    unit: str = "",
    width: int = 520,
    height: int = 220,
    empty_text: str = "No data",
) -> str:
    """Grouped columns: one group per category, one column per series (name, values, colour); None leaves a gap.

    Each series must have one value per category. The y axis runs from min(0, smallest) to the largest value on
    4–5 round ticks; the unit, if any, is written above the axis; the series legend sits below the chart.
    """
    for name, values, _ in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    numbers = [float(v) for _, values, _ in series for v in values if v is not None and _is_number(v)]
    if not categories or not numbers:
        return _empty(title, empty_text, width)

    whole = all(float(n).is_integer() for n in numbers)
    ticks, step = _nice_ticks(min(0.0, *numbers), max(0.0, *numbers), whole=whole)
    tick_labels = _tick_formatter(ticks, step)
    domain_low, domain_high = ticks[0], ticks[-1]
    legend, rows = _legend([(_truncate(name), colour) for name, _, colour in series], top=0, width=width)

    plot_top = 42.0 if unit else 30.0
    plot_left = max(_text_width(label, SMALL_SIZE) for label in tick_labels) + 8
    plot_right = width - 4.0
    legend_height = rows * LEGEND_ROW
    total_height = float(max(height, plot_top + 60 + 22 + legend_height))
    plot_bottom = total_height - legend_height - 24
    plot_height = plot_bottom - plot_top
    plot_width = plot_right - plot_left

    def y_of(value: float) -> float:
        return plot_bottom - (value - domain_low) / (domain_high - domain_low) * plot_height

    body: list[str] = []
    if unit:
        body.append(_text(0, 30, _fit(_clean(unit), width, SMALL_SIZE), size=SMALL_SIZE, fill=GREY))
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        body.append(_line(plot_left, y, plot_right, y, stroke=GREY if tick == 0 else GRID))
        body.append(_text(plot_left - 6, y + 3.5, label, size=SMALL_SIZE, fill=GREY, anchor="end"))

    group_width = plot_width / len(categories)
    column_width = min(group_width * 0.76 / max(len(series), 1), 36.0)
    zero_y = y_of(0.0)
    summary: list[str] = []
    for index, category in enumerate(categories):
        group_left = plot_left + index * group_width
        columns_left = group_left + (group_width - column_width * len(series)) / 2
        centre = group_left + group_width / 2
        body.append(
            _text(
                centre,
                plot_bottom + 14,
                _fit(_truncate(category), group_width - 4, SMALL_SIZE),
                size=SMALL_SIZE,
                fill=TEXT,
                anchor="middle",
                extra=[("class", "category")],
            )
        )
        for series_index, (name, values, colour) in enumerate(series):
            value = values[index]
            if value is None or not math.isfinite(value):
                continue
            value_text = _with_unit(value, unit)
            summary.append(f"{_clean(category)}, {_clean(name)}: {value_text}")
            x = columns_left + series_index * column_width
            drawn_width = column_width - 1 if column_width > 4 else column_width
            y_value = y_of(value)
            body.append(
                _el(
                    "rect",
                    [
                        ("class", "column"),
                        ("x", x),
                        ("y", min(y_value, zero_y)),
                        ("width", drawn_width),
                        ("height", abs(zero_y - y_value)),
                        ("fill", colour),
                    ],
                    f"<title>{_esc(summary[-1])}</title>",
                )
            )
            label = format_number(value)
            if _text_width(label, 9) <= column_width + 1:
                label_y = y_value - 3 if value >= 0 else y_value + 10
                body.append(_text(x + drawn_width / 2, label_y, label, size=9, fill=TEXT, anchor="middle"))
    body.append(f'<g transform="translate(0 {_n(plot_bottom + 22)})">{"".join(legend)}</g>')
    return _svg(title, width, total_height, body, description="; ".join(summary))


# --------------------------------------------------------------------------------------------------- bubble chart


@dataclass(frozen=True)
class Bubble:
    """One point of a bubble chart; ``size`` sets the circle's area."""

    label: str
    x: float
    y: float
    size: float
    colour: str = NAVY


MIN_RADIUS = 4.0
MAX_RADIUS = 22.0


def _radius(size: float, largest: float) -> float:
    """Circle radius with the area proportional to ``size`` (the largest gets MAX_RADIUS), floored at MIN_RADIUS."""
    if largest <= 0 or size <= 0:
        return MIN_RADIUS
    return max(MIN_RADIUS, MAX_RADIUS * math.sqrt(size / largest))


def bubble_chart(
    points: Sequence[Bubble],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 520,
    height: int = 320,
    label_top: int = 8,
    empty_text: str = "No data",
) -> str:
    """Scatter of semi-transparent circles (area ∝ size), axes with ticks, quadrant guides at each axis mid-range,
    and labels on the ``label_top`` largest bubbles. Points with a non-finite x or y are left out."""
    kept = [p for p in points if math.isfinite(p.x) and math.isfinite(p.y)]
    if not kept:
        return _empty(title, empty_text, width)
    sizes = [p.size if math.isfinite(p.size) and p.size > 0 else 0.0 for p in kept]
    largest = max(sizes)

    x_ticks, x_step = _nice_ticks(min(p.x for p in kept), max(p.x for p in kept))
    y_ticks, y_step = _nice_ticks(min(p.y for p in kept), max(p.y for p in kept))
    x_tick_labels = _tick_formatter(x_ticks, x_step)
    y_tick_labels = _tick_formatter(y_ticks, y_step)

    plot_top = 26.0
    plot_bottom = height - 36.0
    plot_left = 18 + max(_text_width(label, SMALL_SIZE) for label in y_tick_labels) + 8
    plot_right = width - 8.0
    pad = MAX_RADIUS + 2

    def x_of(value: float) -> float:
        inner = plot_right - plot_left - 2 * pad
        return plot_left + pad + (value - x_ticks[0]) / (x_ticks[-1] - x_ticks[0]) * inner

    def y_of(value: float) -> float:
        inner = plot_bottom - plot_top - 2 * pad
        return plot_bottom - pad - (value - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * inner

    body: list[str] = []
    # Axes, ticks, tick labels.
    body.append(_line(plot_left, plot_bottom, plot_right, plot_bottom))
    body.append(_line(plot_left, plot_top, plot_left, plot_bottom))
    for tick, label in zip(x_ticks, x_tick_labels, strict=True):
        x = x_of(tick)
        body.append(_line(x, plot_bottom, x, plot_bottom + 4))
        body.append(_text(x, plot_bottom + 15, label, size=SMALL_SIZE, fill=GREY, anchor="middle"))
    for tick, label in zip(y_ticks, y_tick_labels, strict=True):
        y = y_of(tick)
        body.append(_line(plot_left - 4, y, plot_left, y))
        body.append(_text(plot_left - 6, y + 3.5, label, size=SMALL_SIZE, fill=GREY, anchor="end"))
    # Quadrant guides.
    mid_x = x_of((x_ticks[0] + x_ticks[-1]) / 2)
    mid_y = y_of((y_ticks[0] + y_ticks[-1]) / 2)
    dashed = ' stroke-dasharray="4 3" class="quadrant"'
    body.append(_line(mid_x, plot_top, mid_x, plot_bottom, stroke=NO_DATA, extra=dashed))
    body.append(_line(plot_left, mid_y, plot_right, mid_y, stroke=NO_DATA, extra=dashed))
    # Axis titles.
    axis_x = _fit(_clean(x_label), plot_right - plot_left, SMALL_SIZE, bold=True)
    body.append(
        _text((plot_left + plot_right) / 2, height - 5, axis_x, size=SMALL_SIZE, fill=TEXT, anchor="middle", bold=True)
    )
    centre_y = (plot_top + plot_bottom) / 2
    axis_y = _fit(_clean(y_label), plot_bottom - plot_top, SMALL_SIZE, bold=True)
    body.append(
        _text(
            12,
            centre_y,
            axis_y,
            size=SMALL_SIZE,
            fill=TEXT,
            anchor="middle",
            bold=True,
            extra=[("transform", f"rotate(-90 12 {_n(centre_y)})")],
        )
    )

    # Circles: largest first so the small ones stay visible on top.
    order = sorted(range(len(kept)), key=lambda i: (-sizes[i], i))
    radii = [_radius(size, largest) for size in sizes]
    summary: list[str] = []
    for i in order:
        point = kept[i]
        description = (
            f"{_clean(point.label)}: {_clean(x_label)} {format_number(point.x)}, "
            f"{_clean(y_label)} {format_number(point.y)}, {format_number(sizes[i])}"
        )
        summary.append(description)
        body.append(
            _el(
                "circle",
                [
                    ("class", "bubble"),
                    ("cx", x_of(point.x)),
                    ("cy", y_of(point.y)),
                    ("r", radii[i]),
                    ("fill", point.colour),
                    ("fill-opacity", 0.55),
                    ("stroke", point.colour),
                    ("stroke-width", 1),
                ],
                f"<title>{_esc(description)}</title>",
            )
        )

    # Labels on the largest bubbles, placed where they do not collide with one another.
    placed: list[tuple[float, float, float, float]] = []
    circles = [(x_of(p.x), y_of(p.y), r) for p, r in zip(kept, radii, strict=True)]
    bounds = (plot_left + 2, plot_top - 8, float(width), plot_bottom - 2)
    for i in order[: max(label_top, 0)]:
        label = _fit(_truncate(kept[i].label, 28), width / 3, SMALL_SIZE)
        text_width = _text_width(label, SMALL_SIZE)
        x, y, anchor = _place_label(circles[i], text_width, placed, circles, bounds)
        body.append(_text(x, y, label, size=SMALL_SIZE, fill=TEXT, anchor=anchor, extra=[("class", "bubble-label")]))
    return _svg(title, width, height, body, description="; ".join(summary))


def _place_label(
    circle: tuple[float, float, float],
    text_width: float,
    placed: list[tuple[float, float, float, float]],
    circles: Sequence[tuple[float, float, float]],
    bounds: tuple[float, float, float, float],
) -> tuple[float, float, str]:
    """Position (x, baseline, anchor) for a bubble's label: the first candidate around the circle that stays in
    bounds, clear of the labels already placed and of the other circles; failing that, clear of the labels only."""
    cx, cy, radius = circle
    candidates: list[tuple[float, float, str]] = [
        (cx + radius + 3, cy + 3.5, "start"),
        (cx - radius - 3, cy + 3.5, "end"),
        (cx, cy - radius - 3, "middle"),
        (cx, cy + radius + 11, "middle"),
    ]
    for shift in (12.0, -12.0, 24.0, -24.0):
        candidates.append((cx + radius + 3, cy + 3.5 + shift, "start"))
        candidates.append((cx - radius - 3, cy + 3.5 + shift, "end"))

    def box(candidate: tuple[float, float, str]) -> tuple[float, float, float, float]:
        x, y, anchor = candidate
        left = x if anchor == "start" else x - text_width if anchor == "end" else x - text_width / 2
        return (left, y - 9, left + text_width, y + 2)

    def inside(b: tuple[float, float, float, float]) -> bool:
        return b[0] >= bounds[0] and b[1] >= bounds[1] and b[2] <= bounds[2] and b[3] <= bounds[3]

    def clear_of_labels(b: tuple[float, float, float, float]) -> bool:
        return all(b[2] <= o[0] or b[0] >= o[2] or b[3] <= o[1] or b[1] >= o[3] for o in placed)

    def clear_of_circles(b: tuple[float, float, float, float]) -> bool:
        for ox, oy, r in circles:
            dx = ox - min(max(ox, b[0]), b[2])
            dy = oy - min(max(oy, b[1]), b[3])
            if dx * dx + dy * dy < r * r:
                return False
        return True

    in_bounds = [c for c in candidates if inside(box(c))] or candidates[:1]
    chosen = next(
        (c for c in in_bounds if clear_of_labels(box(c)) and clear_of_circles(box(c))),
        next((c for c in in_bounds if clear_of_labels(box(c))), in_bounds[0]),
    )
    placed.append(box(chosen))
    return chosen
