"""The SVG charts of the briefing pack: well-formed, escaped, accessible, deterministic, and drawn to scale."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from aihq.evaluation.charts import (
    AMBER,
    FONT_FAMILY,
    GREEN,
    NAVY,
    NO_DATA,
    RED,
    Bubble,
    _nice_ticks,
    _percentages,
    bubble_chart,
    column_chart,
    format_count,
    format_number,
    hbar_chart,
    stacked_bar,
)

NS = "{http://www.w3.org/2000/svg}"
NASTY = "<script>&"
YEARS = [str(y) for y in range(2024, 2030)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{NS}{tag}") if el.get("class") == cls]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def fnum(el: ET.Element, name: str) -> float:
    value = el.get(name)
    assert value is not None, name
    return float(value)


def sample_bubbles(n: int = 12) -> list[Bubble]:
    colours = [NAVY, GREEN, AMBER, RED]
    return [
        Bubble(
            f"Cas {i} Распознавание",
            x=(i * 37) % 100,
            y=(i * 53) % 90,
            size=(i * 7919) % 500 + 10,
            colour=colours[i % 4],
        )
        for i in range(n)
    ]


SAMPLES: dict[str, Callable[[], str]] = {
    "hbar": lambda: hbar_chart(
        [("Министерство", 42), (NASTY, 17), ("Transport", -3.5)], title="Cas d'usage", unit="M€"
    ),
    "hbar-empty": lambda: hbar_chart([], title="Empty"),
    "stacked": lambda: stacked_bar([("Green", 12, GREEN), ("Amber", 5, AMBER), ("Red", 0, RED)], title="RAG"),
    "stacked-empty": lambda: stacked_bar([("Green", 0, GREEN)], title="RAG"),
    "column": lambda: column_chart(
        YEARS,
        [
            ("Planned cost", [1e6, 2e6, 3e6, 2e6, 1e6, 5e5], NAVY),
            ("Actual cost", [9e5, 2.4e6, None, None, None, None], AMBER),
        ],
        title="Cost",
        unit="€",
    ),
    "column-empty": lambda: column_chart(YEARS, [("Planned", [None] * 6, NAVY)], title="Cost"),
    "bubble": lambda: bubble_chart(sample_bubbles(), title="Portfolio", x_label="Feasibility", y_label="Value"),
    "bubble-empty": lambda: bubble_chart([], title="Portfolio", x_label="x", y_label="y"),
}


# ------------------------------------------------------------------------------------------------ every chart


@pytest.mark.parametrize("name", SAMPLES)
def test_well_formed_accessible_svg(name):
    svg = SAMPLES[name]()
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.get("font-family") == FONT_FAMILY
    title = root.find(f"{NS}title")
    assert title is not None
    assert title.text == root.get("aria-label")
    width, height = fnum(root, "width"), fnum(root, "height")
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0
    assert height > 0


@pytest.mark.parametrize("name", SAMPLES)
def test_title_is_the_first_text_bold_12px(name):
    root = parse(SAMPLES[name]())
    first = next(root.iter(f"{NS}text"))
    assert first.text == root.get("aria-label")
    assert first.get("font-weight") == "bold"
    assert first.get("font-size") == "12"


@pytest.mark.parametrize("name", SAMPLES)
def test_deterministic(name):
    assert SAMPLES[name]() == SAMPLES[name]()


@pytest.mark.parametrize("name", SAMPLES)
def test_coordinates_rounded_to_one_decimal(name):
    svg = SAMPLES[name]()
    numbers = re.findall(r'\s(?:x|y|x1|y1|x2|y2|cx|cy|r|width|height)="(-?[0-9.]+)"', svg)
    assert numbers
    assert all(len(n.partition(".")[2]) <= 1 for n in numbers), numbers


@pytest.mark.parametrize("name", SAMPLES)
def test_everything_drawn_inside_the_canvas(name):
    root = parse(SAMPLES[name]())
    width, height = fnum(root, "width"), fnum(root, "height")
    for el in root.iter():
        for attr, limit in (("x", width), ("cx", width), ("y", height), ("cy", height)):
            if el.get(attr) is not None and el.tag != f"{NS}svg":
                assert -0.05 <= fnum(el, attr) <= limit + 0.05, (el.tag, attr, el.get(attr))


def test_titles_are_escaped_and_cyrillic_kept():
    svg = hbar_chart([("a", 1)], title=f'Отчёт {NASTY} "quoted"')
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == 'Отчёт <script>& "quoted"'
    assert texts(root)[0] == 'Отчёт <script>& "quoted"'


def test_characters_xml_forbids_are_dropped():
    root = parse(hbar_chart([("bad\x00\x1bname\nsecond line", 1)], title="t\x07"))
    assert "badname second line" in texts(root)


def test_colours_are_escaped_too():
    root = parse(hbar_chart([("a", 1)], title="t", colour='"/><script>'))
    assert by_class(root, "rect", "bar")[0].get("fill") == '"/><script>'


def test_long_title_is_shortened_on_screen_but_kept_whole_for_assistive_technology():
    title = "Une très longue intitulé " * 10
    root = parse(stacked_bar([("a", 1, NAVY)], title=title, width=300))
    assert root.get("aria-label") == title.strip()
    assert texts(root)[0].endswith("…")


# ----------------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (0.0, "0"),
        (42, "42"),
        (5.0, "5.0"),
        (-5.0, "−5.0"),
        (-5, "−5"),
        (0.25, "0.25"),
        (0.5, "0.5"),
        (999.96, "1.0k"),
        (1234, "1.2k"),
        (-1234.5, "−1.2k"),
        (999_950, "1.0M"),
        (3.4e6, "3.4M"),
        (2.5e9, "2.5B"),
        (1.2345e15, "1\u2009234.5T"),
        (-0.001, "0.0"),
        (float("nan"), "—"),
        (float("-inf"), "—"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_number_trim():
    assert format_number(2000.0, trim=True) == "2k"
    assert format_number(2500.0, trim=True) == "2.5k"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (1234, "1\u2009234"),
        (12345678, "12\u2009345\u2009678"),
        (-1500, "−1\u2009500"),
        (2.5, "2.5"),
    ],
)
def test_format_count_groups_with_thin_spaces(value, expected):
    assert format_count(value) == expected


@pytest.mark.parametrize(
    "counts", [[1, 1, 1], [12, 5, 3, 0], [1234, 333, 1, 55], [1, 999_999], [7], [2, 2, 2, 2, 2, 2, 2]]
)
def test_percentages_sum_to_100(counts):
    percents = _percentages(counts)
    assert sum(percents) == 100
    assert all(p == 0 for p, c in zip(percents, counts, strict=True) if c == 0)


@pytest.mark.parametrize(
    ("low", "high"), [(0, 100), (0, 110), (0, 3.1e6), (-20, 82), (0, 0.37), (0, 1), (5, 5), (0, 0), (1000, 1150)]
)
def test_nice_ticks_are_round_and_cover_the_range(low, high):
    ticks, step = _nice_ticks(low, high)
    assert 3 <= len(ticks) <= 5
    assert ticks[0] <= low
    assert ticks[-1] >= high
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 6) in {1, 2, 5}


# ------------------------------------------------------------------------------------------------ hbar_chart


def test_hbar_one_bar_per_item_in_order_with_values():
    items = [("Alpha", 10.0), ("Бета", 2500.0), ("Gamma", 3)]
    root = parse(hbar_chart(items, title="Bars", unit="k€"))
    bars = by_class(root, "rect", "bar")
    assert len(bars) == 3
    ys = [fnum(b, "y") for b in bars]
    assert ys == sorted(ys)
    widths = [fnum(b, "width") for b in bars]
    assert widths[1] > widths[0] > widths[2]
    labels = [el.text for el in by_class(root, "text", "label")]
    assert labels == ["Alpha", "Бета", "Gamma"]
    all_text = texts(root)
    assert "2.5k k€" in all_text
    assert "3 k€" in all_text


def test_hbar_escapes_labels():
    svg = hbar_chart([(NASTY, 1.0)], title="t")
    assert "<script>" not in svg
    assert "&lt;script&gt;&amp;" in svg
    assert NASTY in texts(parse(svg))


def test_hbar_truncates_long_labels_with_an_ellipsis():
    long = "Direction générale de la modernisation de l'action publique et du numérique"
    root = parse(hbar_chart([(long, 1.0), ("short", 2.0)], title="t", width=900))
    label = by_class(root, "text", "label")[0].text
    assert label is not None
    assert label.endswith("…")
    assert len(label) <= 38
    assert long.startswith(label[:-1])
    bar_title = by_class(root, "rect", "bar")[0].find(f"{NS}title")
    assert bar_title is not None
    assert bar_title.text == f"{long}: 1.0"


def test_hbar_negative_value_goes_left_of_the_zero_axis_in_red():
    root = parse(hbar_chart([("Gain", 12.4), ("Loss", -5.0)], title="NPV", unit="M€"))
    axis = by_class(root, "line", "zero-axis")
    assert len(axis) == 1
    zero_x = fnum(axis[0], "x1")
    gain, loss = by_class(root, "rect", "bar")
    assert fnum(gain, "x") == zero_x
    assert gain.get("fill") == NAVY
    assert fnum(loss, "x") < zero_x
    assert fnum(loss, "x") + fnum(loss, "width") == pytest.approx(zero_x, abs=0.1)
    assert loss.get("fill") == RED
    assert "−5.0 M€" in texts(root)
    assert fnum(gain, "width") / fnum(loss, "width") == pytest.approx(12.4 / 5.0, rel=0.02)


def test_hbar_all_zero_values_still_draw():
    root = parse(hbar_chart([("a", 0), ("b", 0)], title="t"))
    assert [fnum(b, "width") for b in by_class(root, "rect", "bar")] == [0, 0]


def test_hbar_custom_colour_and_bar_height():
    root = parse(hbar_chart([("a", 1)], title="t", colour=GREEN, bar_height=30))
    bar = by_class(root, "rect", "bar")[0]
    assert bar.get("fill") == GREEN
    assert fnum(bar, "height") == 30


def test_hbar_empty_shows_empty_text():
    root = parse(hbar_chart([], title="Nothing", empty_text="Aucune donnée <ici>"))
    assert by_class(root, "rect", "bar") == []
    assert "Aucune donnée <ici>" in texts(root)
    assert fnum(root, "height") < 80


# ----------------------------------------------------------------------------------------------- stacked_bar


def legend_percentages(root: ET.Element) -> list[int]:
    return [int(m.group(1)) for t in texts(root) if (m := re.search(r"\((\d+) %\)$", t))]


def test_stacked_one_rect_per_non_zero_segment_and_legend_for_all():
    segments = [("Green", 12, GREEN), ("Amber", 5, AMBER), ("Red", 3, RED), ("No data", 0, NO_DATA)]
    root = parse(stacked_bar(segments, title="RAG", width=400))
    rects = by_class(root, "rect", "segment")
    assert [r.get("fill") for r in rects] == [GREEN, AMBER, RED]
    assert sum(fnum(r, "width") for r in rects) == pytest.approx(400, abs=0.01)
    assert [fnum(r, "width") for r in rects] == [240, 100, 60]
    legend = [el.text for el in by_class(root, "text", "legend")]
    assert legend == ["Green: 12 (60 %)", "Amber: 5 (25 %)", "Red: 3 (15 %)", "No data: 0 (0 %)"]
    assert len(by_class(root, "rect", "swatch")) == 4


def test_stacked_percentages_sum_to_100():
    segments = [("A", 1, GREEN), ("B", 1, AMBER), ("C", 1, RED)]
    root = parse(stacked_bar(segments, title="thirds"))
    assert sum(legend_percentages(root)) == 100
    big = [("Зелёный", 1234, GREEN), ("Жёлтый", 333, AMBER), ("Красный", 1, RED), ("Нет данных", 55, NO_DATA)]
    root = parse(stacked_bar(big, title="Статус"))
    percents = legend_percentages(root)
    assert len(percents) == 4
    assert sum(percents) == 100
    assert "Зелёный: 1\u2009234 (76 %)" in texts(root)


def test_stacked_segments_are_contiguous():
    root = parse(stacked_bar([("a", 1, GREEN), ("b", 2, AMBER), ("c", 4, RED)], title="t", width=500))
    rects = by_class(root, "rect", "segment")
    for left, right in itertools.pairwise(rects):
        assert fnum(left, "x") + fnum(left, "width") == pytest.approx(fnum(right, "x"), abs=0.01)
    assert fnum(rects[0], "x") == 0


def test_stacked_legend_wraps_inside_the_width():
    segments = [(f"Catégorie numéro {i}", i + 1, NAVY) for i in range(8)]
    root = parse(stacked_bar(segments, title="t", width=300))
    swatches = by_class(root, "rect", "swatch")
    assert len({s.get("y") for s in swatches}) > 1
    assert fnum(root, "height") > 46


def test_stacked_escapes_labels():
    svg = stacked_bar([(NASTY, 2, GREEN)], title="t")
    assert "<script>" not in svg
    assert f"{NASTY}: 2 (100 %)" in texts(parse(svg))


@pytest.mark.parametrize("segments", [[], [("a", 0, GREEN), ("b", 0, RED)]])
def test_stacked_empty_shows_empty_text(segments):
    root = parse(stacked_bar(segments, title="t", empty_text="Nothing yet"))
    assert by_class(root, "rect", "segment") == []
    assert "Nothing yet" in texts(root)


# ---------------------------------------------------------------------------------------------- column_chart


def test_column_one_rect_per_value_and_none_leaves_a_gap():
    series: list[tuple[str, list[float | None], str]] = [
        ("Planned cost", [1.0, 2.0, 3.0, 2.0, 1.0, 0.5], NAVY),
        ("Actual cost", [1.1, 2.9, None, None, None, None], AMBER),
    ]
    root = parse(column_chart(YEARS, series, title="Cost", unit="M€"))
    columns = by_class(root, "rect", "column")
    assert len(columns) == 8
    assert [c.get("fill") for c in columns].count(AMBER) == 2
    categories = [el.text for el in by_class(root, "text", "category")]
    assert categories == YEARS
    legend = [el.text for el in by_class(root, "text", "legend")]
    assert legend == ["Planned cost", "Actual cost"]
    assert "M€" in texts(root)


def test_column_heights_are_proportional_and_share_a_baseline():
    root = parse(column_chart(["a", "b"], [("s", [10.0, 40.0], NAVY)], title="t"))
    small, big = by_class(root, "rect", "column")
    assert fnum(big, "height") == pytest.approx(4 * fnum(small, "height"), rel=0.01)
    assert fnum(small, "y") + fnum(small, "height") == pytest.approx(fnum(big, "y") + fnum(big, "height"), abs=0.1)


def test_column_y_axis_has_four_or_five_round_ticks_from_zero():
    root = parse(column_chart(YEARS, [("s", [1.2e6, 2.5e6, 3.1e6, 2e6, 1e6, 5e5], NAVY)], title="t"))
    tick_labels = [t for t in texts(root) if re.fullmatch(r"−?\d+(\.\d+)?[kMBT]?", t)]
    axis = [t for t in tick_labels if t in {"0", "1M", "2M", "3M", "4M"}]
    assert axis == ["0", "1M", "2M", "3M", "4M"]


def test_column_negative_values_hang_below_zero():
    root = parse(column_chart(["Q1", "Q2"], [("Net", [-20.0, 80.0], GREEN)], title="t"))
    negative, positive = by_class(root, "rect", "column")
    zero_line = fnum(positive, "y") + fnum(positive, "height")
    assert fnum(negative, "y") == pytest.approx(zero_line, abs=0.1)
    assert fnum(negative, "height") == pytest.approx(fnum(positive, "height") / 4, rel=0.02)
    assert "−20.0" in texts(root)


def test_column_escapes_and_keeps_cyrillic():
    svg = column_chart(["Год 1", NASTY], [("План", [1.0, 2.0], NAVY)], title="t")
    assert "<script>" not in svg
    all_text = texts(parse(svg))
    assert NASTY in all_text
    assert "План" in all_text
    assert "Год 1" in all_text


@pytest.mark.parametrize(
    ("categories", "series"),
    [
        ([], [("s", [], NAVY)]),
        (["a"], []),
        (["a", "b"], [("s", [None, None], NAVY)]),
        (["a"], [("s", [float("nan")], NAVY)]),
    ],
)
def test_column_empty_shows_empty_text(categories, series):
    root = parse(column_chart(categories, series, title="t", empty_text="No figures"))
    assert by_class(root, "rect", "column") == []
    assert "No figures" in texts(root)


def test_column_rejects_series_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        column_chart(["a", "b", "c"], [("s", [1.0, 2.0], NAVY)], title="t")


# ---------------------------------------------------------------------------------------------- bubble_chart


def test_bubble_one_circle_per_point_semi_transparent():
    points = sample_bubbles(12)
    root = parse(bubble_chart(points, title="Portfolio", x_label="Feasibility", y_label="Value"))
    circles = by_class(root, "circle", "bubble")
    assert len(circles) == 12
    assert all(0 < fnum(c, "fill-opacity") < 1 for c in circles)
    assert len(by_class(root, "line", "quadrant")) == 2
    all_text = texts(root)
    assert "Feasibility" in all_text
    assert "Value" in all_text


def test_bubble_radius_grows_with_size_as_the_square_root():
    points = [Bubble(f"p{i}", x=i, y=i, size=size) for i, size in enumerate([100, 400, 900, 1600, 2500])]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y"))
    radius = {c.findtext(f"{NS}title", "").split(":")[0]: fnum(c, "r") for c in by_class(root, "circle", "bubble")}
    radii = [radius[f"p{i}"] for i in range(5)]
    assert radii == sorted(radii)
    assert len(set(radii)) == 5
    assert radii[-1] == 22
    assert radii[0] == pytest.approx(22 * (100 / 2500) ** 0.5, abs=0.1)
    assert all(r >= 4 for r in radii)


def test_bubble_radius_has_a_floor():
    points = [Bubble("tiny", 0, 0, 1), Bubble("zero", 1, 1, 0), Bubble("big", 2, 2, 10_000)]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y"))
    assert sorted(fnum(c, "r") for c in by_class(root, "circle", "bubble")) == [4, 4, 22]


def test_bubble_positions_follow_the_data():
    points = [Bubble("low", x=1, y=1, size=1), Bubble("high", x=9, y=9, size=1)]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y"))
    circles = {c.findtext(f"{NS}title", "").split(":")[0]: c for c in by_class(root, "circle", "bubble")}
    assert fnum(circles["low"], "cx") < fnum(circles["high"], "cx")
    assert fnum(circles["low"], "cy") > fnum(circles["high"], "cy")  # SVG y grows downwards


def test_bubble_labels_only_the_largest():
    points = [Bubble(f"point {i}", x=i * 10, y=(i * 7) % 50, size=i + 1) for i in range(10)]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y", label_top=3))
    labels = sorted(el.text or "" for el in by_class(root, "text", "bubble-label"))
    assert labels == ["point 7", "point 8", "point 9"]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y", label_top=0))
    assert by_class(root, "text", "bubble-label") == []


def test_bubble_labels_do_not_overlap_when_there_is_room():
    points = [Bubble(f"Label {i}", x=i % 4, y=i // 4, size=10) for i in range(8)]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y", width=600, height=400))
    labels = by_class(root, "text", "bubble-label")
    assert len(labels) == 8
    positions = {(el.get("x"), el.get("y")) for el in labels}
    assert len(positions) == 8


def test_bubble_escapes_and_keeps_cyrillic():
    points = [Bubble(NASTY, 1, 1, 5, colour=RED), Bubble("Распознавание", 2, 3, 8)]
    svg = bubble_chart(points, title="Карта", x_label="Ось <x>", y_label="Ось & y")
    assert "<script>" not in svg
    all_text = texts(parse(svg))
    assert NASTY in all_text
    assert "Распознавание" in all_text
    assert "Ось <x>" in all_text
    assert "Ось & y" in all_text


def test_bubble_single_point_and_identical_coordinates():
    root = parse(bubble_chart([Bubble("a", 5, 5, 1), Bubble("b", 5, 5, 2)], title="t", x_label="x", y_label="y"))
    assert len(by_class(root, "circle", "bubble")) == 2


def test_bubble_skips_points_without_coordinates_and_empty_shows_text():
    points = [Bubble("ok", 1, 1, 1), Bubble("nan", float("nan"), 1, 1)]
    root = parse(bubble_chart(points, title="t", x_label="x", y_label="y"))
    assert len(by_class(root, "circle", "bubble")) == 1
    root = parse(
        bubble_chart([Bubble("nan", 1, float("inf"), 1)], title="t", x_label="x", y_label="y", empty_text="Rien")
    )
    assert by_class(root, "circle", "bubble") == []
    assert "Rien" in texts(root)


def test_numbers_follow_the_style_asked_and_only_inside_it():
    from aihq.evaluation import charts

    with charts.number_style(charts.RUSSIAN):
        assert charts.format_number(1_234_567.0) == "1,2\u00a0млн"
        assert charts.format_number(0.25) == "0,25"
        russian = charts.hbar_chart([("Проект", 55_500_000.0)], title="НПV", unit="RUB")
    assert "55,5\u00a0млн RUB" in russian or "55,5\u00a0млн\u00a0RUB" in russian
    assert charts.format_number(1_234_567.0) == "1.2M"
    assert charts.style_for("ru-ru") is charts.RUSSIAN
    assert charts.style_for(None) is charts.ENGLISH


def test_counts_get_whole_ticks():
    import xml.etree.ElementTree as ET

    from aihq.evaluation import charts

    svg = charts.column_chart(["Pilot", "Production"], [("Use cases", [1, 2], charts.NAVY)], title="Stages")
    texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "0.5" not in texts
    assert "1.5" not in texts
    fractional = charts.column_chart(["a", "b"], [("x", [0.4, 1.2], charts.NAVY)], title="Shares")
    ftexts = [t.text or "" for t in ET.fromstring(fractional).iter("{http://www.w3.org/2000/svg}text")]
    assert any("." in t for t in ftexts)
