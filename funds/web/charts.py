"""Server-rendered SVG bar charts (the pool page, the impact report): no JavaScript, no inline
styles (the CSP forbids them), every colour and size an SVG attribute, each chart titled for
screen readers. Suppressed figures are not drawn; the chart says how many were left out, never
their size."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
BAR_WIDTH = 300
AMOUNT_WIDTH = 140
TEXT = "#1d1d1f"
COLOURS = ("#8a3b12", "#b5651d", "#6b8e23", "#2e6f8e", "#7a4f9a", "#a0522d", "#5b5b5b")


def bars(
    chart_id: str,
    rows: Sequence[tuple[str, int | None]],
    *,
    money: Callable[[int], str],
    title: str,
    empty: str,
    left_out: Callable[[int], str] | None = None,
) -> Markup:
    """A horizontal bar per ``(label, amount)`` in the order given; ``None`` marks a suppressed
    figure, counted in a note below the chart (``left_out`` words the count). ``chart_id`` must be
    unique on the page."""
    drawn = [(label, amount) for label, amount in rows if amount]
    suppressed = sum(1 for _, amount in rows if amount is None)
    note = Markup("")
    if suppressed and left_out:
        note = Markup('<p class="chart-note">{}</p>').format(left_out(suppressed))
    if not drawn:
        return Markup('<p class="chart-empty">{}</p>').format(empty) + note
    largest = max(amount for _, amount in drawn)
    width = LABEL_WIDTH + BAR_WIDTH + AMOUNT_WIDTH
    height = len(drawn) * (BAR_HEIGHT + GAP)
    safe_id = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{safe_id}-title">',
        f'<title id="{safe_id}-title">{escape(title)}</title>',
    ]
    for index, (label, amount) in enumerate(drawn):
        y = index * (BAR_HEIGHT + GAP)
        bar = max(2, round(BAR_WIDTH * amount / largest))
        name, shown = escape(label), escape(money(amount))
        parts.append(
            f"<g><title>{name}: {shown}</title>"
            f'<text x="0" y="{y + 16}" font-size="14" fill="{TEXT}">{name}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" rx="3" '
            f'fill="{COLOURS[index % len(COLOURS)]}"/>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 16}" font-size="14" fill="{TEXT}">{shown}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts)) + note  # noqa: S704 (every text above went through escape())


def largest_first(amounts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    """``{code: amount}`` as chart rows, largest first (ties by code), each code named by ``labels``."""
    rows = sorted(((code, amount) for code, amount in amounts.items() if amount > 0), key=lambda r: (-r[1], r[0]))
    return [(labels.get(code, code), amount) for code, amount in rows]
