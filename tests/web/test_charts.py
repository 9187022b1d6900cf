"""Bar charts (the pool page's paid-by-category, the impact report's): SVG that needs no script,
no inline style, and escapes its text."""

from __future__ import annotations

import re

from funds.web.charts import bars, largest_first


def chart(amounts):
    return str(bars("paid", largest_first(amounts, {"food": "Food & <drink>"}), money=lambda m: f"{m / 100:.2f}",
                    title="Paid out", empty="Nothing yet"))


def test_the_largest_category_gets_the_longest_bar_and_every_bar_its_amount():
    svg = chart({"food": 3000, "rent": 1500, "legal": 0})
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert 'width="300"' in svg and 'width="150"' in svg
    assert svg.index("Food") < svg.index("rent") and "legal" not in svg
    assert "30.00" in svg and "15.00" in svg


def test_labels_are_escaped():
    assert "Food &amp; &lt;drink&gt;" in chart({"food": 1})


def test_nothing_paid_says_so_in_words():
    assert chart({"food": 0}) == '<p class="chart-empty">Nothing yet</p>'


def test_suppressed_figures_are_counted_below_the_chart_never_drawn():
    svg = str(bars("impact", [("Food", 500), ("Rent", None)], money=str, title="Paid", empty="Nothing",
                   left_out=lambda n: f"{n} hidden"))
    assert "Food" in svg and "Rent" not in svg and svg.endswith('<p class="chart-note">1 hidden</p>')


def test_a_chart_whose_every_figure_is_hidden_never_says_nothing_was_paid():
    shown = str(bars("impact", [("May", None), ("June", None)], money=str, title="Paid", empty="Nothing paid",
                     left_out=lambda n: f"{n} hidden"))
    assert shown == '<p class="chart-note">2 hidden</p>'


def positions(svg: str) -> dict:
    """Each drawn thing of the first bar as (what, x): its label, its bar, its amount."""
    first = re.search(r"<g>.*?</g>", svg).group(0)
    label, amount = re.findall(r'<text x="([\d.]+)"', first)
    bar_x, bar_width = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', first).groups()
    return {"label": float(label), "bar": (float(bar_x), float(bar_x) + float(bar_width)), "amount": float(amount)}


def width_of(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))


def test_a_left_to_right_chart_starts_each_bar_at_the_left_with_its_amount_after_it():
    svg = str(bars("paid", [("Rent or a place to stay", 3000), ("Food", 1500)], money=str, title="Paid", empty="-"))
    drawn = positions(svg)
    assert "direction" not in svg
    assert drawn["label"] == 0 and drawn["bar"] == (0, 300) and drawn["amount"] > 300
    assert drawn["amount"] < width_of(svg)


def test_a_right_to_left_chart_is_the_mirror_image_labels_and_bars_from_the_right():
    """In Arabic the label and the bar start at the right edge and the amount follows the bar to
    its left, inside the picture, never over the bar or off its edge."""
    svg = str(bars("paid", [("الإيجار", 3000), ("طعام", 1500)], money=str, title="Paid", empty="-",
                   direction="rtl"))
    width = width_of(svg)
    drawn = positions(svg)
    assert ' direction="rtl"' in svg  # so text-anchor "start" is the right-hand end of the text
    assert drawn["label"] == width and drawn["bar"] == (width - 300, width)
    assert 0 < drawn["amount"] < width - 300
    second = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)[1]
    assert float(second[0]) + float(second[1]) == width  # the shorter bar ends at the right too


def test_the_chart_is_drawn_at_its_own_size_so_its_text_reads_the_same_on_a_phone():
    svg = str(bars("paid", [("Food", 1)], money=str, title="Paid", empty="-"))
    assert re.search(r'<svg [^>]*width="440" height="54"', svg) and 'font-size="16"' in svg
