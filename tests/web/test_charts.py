"""Bar charts (the pool page's paid-by-category, the impact report's): SVG that needs no script,
no inline style, and escapes its text."""

from __future__ import annotations

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
