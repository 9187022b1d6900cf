"""Server-rendered SVG charts: readable with no JavaScript, and with no inline styles (our CSP
forbids them), so every colour and size is an SVG attribute."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 130
BAR_WIDTH = 300
AMOUNT_WIDTH = 130
COLOURS = ("#8a3b12", "#b5651d", "#6b8e23", "#2e6f8e", "#7a4f9a", "#a0522d", "#5b5b5b")


def paid_by_category(
    amounts: dict[str, int], *, labels: dict[str, str], money: Callable[[int], str], title: str, empty: str
) -> Markup:
    """A horizontal bar per category paid out, longest first, each labelled with its amount.

    ``labels`` names the categories in the reader's language; ``money`` formats an amount.
    """
    rows = sorted(((c, a) for c, a in amounts.items() if a > 0), key=lambda row: (-row[1], row[0]))
    if not rows:
        return Markup('<p class="chart-empty">{}</p>').format(empty)
    largest = rows[0][1]
    width = LABEL_WIDTH + BAR_WIDTH + AMOUNT_WIDTH
    height = len(rows) * (BAR_HEIGHT + GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="paid-chart-title">',
        f'<title id="paid-chart-title">{escape(title)}</title>',
    ]
    for index, (category, amount) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        bar = max(2, round(BAR_WIDTH * amount / largest))
        label, shown = escape(labels.get(category, category)), escape(money(amount))
        parts.append(
            f'<g><title>{label}: {shown}</title>'
            f'<text x="0" y="{y + 16}" font-size="14" fill="#1d1d1f">{label}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" rx="3" '
            f'fill="{COLOURS[index % len(COLOURS)]}"/>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 16}" font-size="14" fill="#1d1d1f">{shown}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above went through escape())
