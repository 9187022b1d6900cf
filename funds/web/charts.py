"""Server-rendered SVG bar charts (the pool page, the impact report): no JavaScript, no inline
styles (the CSP forbids them), every colour and size an SVG attribute, each chart titled for
screen readers. Suppressed figures are not drawn; the chart says how many were left out, never
their size. Each bar has its label on the line above it and its amount at its end. A
right-to-left page gets the mirror image: labels on the right, bars growing leftwards, each
amount on the bar's far (left) side."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 12
#: the label's line above its bar, so a long label never runs under the bar
LABEL_HEIGHT = 20
BAR_WIDTH = 300
AMOUNT_WIDTH = 140
FONT_SIZE = 16
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
    direction: str = "ltr",
) -> Markup:
    """A horizontal bar per ``(label, amount)`` in the order given; ``None`` marks a suppressed
    figure, counted in a note below the chart (``left_out`` words the count). ``empty`` is said only
    when there is no figure at all, drawn or suppressed. ``chart_id`` must be unique on the page;
    ``direction`` is the page's (``ltr`` or ``rtl``)."""
    drawn = [(label, amount) for label, amount in rows if amount]
    suppressed = sum(1 for _, amount in rows if amount is None)
    note = Markup("")
    if suppressed and left_out:
        note = Markup('<p class="chart-note">{}</p>').format(left_out(suppressed))
    if not drawn:
        # "nothing" only when nothing is there: figures too small to show are not nothing
        return note if suppressed else Markup('<p class="chart-empty">{}</p>').format(empty)
    largest = max(amount for _, amount in drawn)
    width = BAR_WIDTH + AMOUNT_WIDTH
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = len(drawn) * row
    safe_id = escape(chart_id)
    rtl = direction == "rtl"
    # drawn at its own size (never wider than the page, giving.css), so text reads the same on a
    # phone and a wide screen; the SVG states its direction, so "start" means the same side
    # whatever page holds it: the right in Arabic, where every x below is mirrored (x -> width - x)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{safe_id}-title"'
        + (' direction="rtl">' if rtl else ">"),
        f'<title id="{safe_id}-title">{escape(title)}</title>',
    ]
    for index, (label, amount) in enumerate(drawn):
        y = index * row
        bar = max(2, round(BAR_WIDTH * amount / largest))
        label_x, bar_x, amount_x = 0, 0, bar + 6
        if rtl:
            label_x, bar_x, amount_x = width, width - bar, width - amount_x
        name, shown = escape(label), escape(money(amount))
        text = f'font-size="{FONT_SIZE}" fill="{TEXT}"'
        parts.append(
            f"<g><title>{name}: {shown}</title>"
            f'<text x="{label_x}" y="{y + FONT_SIZE}" {text}>{name}</text>'
            f'<rect x="{bar_x}" y="{y + LABEL_HEIGHT}" width="{bar}" height="{BAR_HEIGHT}" rx="3" '
            f'fill="{COLOURS[index % len(COLOURS)]}"/>'
            f'<text x="{amount_x}" y="{y + LABEL_HEIGHT + FONT_SIZE}" {text}>{shown}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts)) + note  # noqa: S704 (every text above went through escape())


def largest_first(amounts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    """``{code: amount}`` as chart rows, largest first (ties by code), each code named by ``labels``."""
    rows = sorted(((code, amount) for code, amount in amounts.items() if amount > 0), key=lambda r: (-r[1], r[0]))
    return [(labels.get(code, code), amount) for code, amount in rows]
