"""Every page a donor, a recipient or a curious visitor sees passes axe-core, in every language;
so does every committee page, in a left-to-right and a right-to-left language.

axe-core (static/vendor/axe-core/, vendored from npm) is injected by Playwright into each page the
test opens; no page links to it. A serious or critical violation fails the test with its rule, the
page and the elements concerned. The fund lives through the domain functions (gifts, requests,
votes, payouts booked "yesterday", so the public ledger has rows to show); the recipient forms are
filled in by hand, as a person would, including the mistakes that re-render them with errors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from funds.books import app_signer
from funds.donations.models import Gift, MonthlyGift
from funds.pools.models import Pool
from ledger import audit, schema
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.sqlite_only, pytest.mark.browser]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
LANGUAGES = ["en", "fr", "es", "ar", "zh"]
BLOCKING = {"serious", "critical"}
RUN_AXE = """async () => {
  const found = await axe.run(document, {resultTypes: ["violations"]});
  return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
}"""


@pytest.fixture
def axe_page(browser):
    """One browser context for all of a test's pages, with axe-core in every document it loads."""
    context = browser.new_context()
    # An init script runs in the page's own world but is not subject to its Content-Security-Policy,
    # so each page is checked exactly as its visitors get it.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def lived_fund(app, run, fund):
    """Gifts, a supported request, a declined one and a signed checkpoint; returns the pool's slug,
    a receipt's token and a monthly gift's."""
    fund.gift(20_000, public_name="Basia's book club")
    fund.card_gift(5_000, 175, public_name="A friend")
    fund.supported(4_000, "rent")
    fund.decline(fund.ask(2_500, "food"))
    fund.books.day = None
    receipt_gift, _seq = fund.gift(1_500)
    origin = app.extensions["ayni.config"].ledger_origin
    run(lambda s: audit.checkpoint(s, app_signer(app), origin))
    token = run(lambda s: s.scalar(select(Gift.token).where(Gift.id == receipt_gift)))
    slug = run(lambda s: s.scalar(select(Pool.slug).where(Pool.id == fund.pool_id)))

    def stopped_monthly_gift(session):
        monthly = MonthlyGift(pool_id=fund.pool_id, amount=1_000, currency="EUR", status="stopped")
        session.add(monthly)
        session.flush()
        return monthly.token

    return slug, token, run(stopped_monthly_gift)


class Audit:
    """Opens pages and keeps every blocking violation, so one run reports all of them.

    Each page is first checked to be the one meant: the status it should open with (200, or the
    status of a refused form or a missing page) at the address it should end on, so a broken link
    or a lost session cannot have axe audit a not-found or sign-in page in its place.
    """

    def __init__(self, page, base: str, lang: str):
        self.page, self.base, self.lang = page, base, lang
        self.checked: list[str] = []
        self.violations: list[str] = []

    def open(self, path: str, what: str, *, status: int = 200) -> None:
        joiner = "&" if "?" in path else "?"
        address = f"{path}{joiner}lang={self.lang}"
        response = self.page.goto(f"{self.base}{address}")
        self.arrived(what, response, status, address)
        self.check(what)

    def submit(self, what: str, form: str = "main form", *, status: int = 200, at: str, showing: str = "main") -> None:
        """Press the form's submit button; the answer must be ``status`` at address ``at``, showing ``showing``."""
        with self.page.expect_navigation() as navigation:
            self.page.locator(f"{form} button[type=submit]").last.click()
        self.arrived(what, navigation.value, status, at)
        assert self.page.locator(showing).count() > 0, f"{what}: the page does not show {showing}"
        self.check(what)

    def arrived(self, what: str, response, status: int, address: str) -> None:
        assert response is not None, f"{what}: no page was loaded"
        arrived = (response.status, self.page.url.removeprefix(self.base))
        assert arrived == (status, address), f"{what}: answered {arrived[0]} at {arrived[1]}, not {status} at {address}"

    def check(self, what: str) -> None:
        self.page.wait_for_load_state("load")
        assert self.page.locator("html").get_attribute("lang") == self.lang, what
        assert self.page.locator("html").get_attribute("dir") == ("rtl" if self.lang == "ar" else "ltr"), what
        self.checked.append(what)
        for found in self.page.evaluate(RUN_AXE):
            if found["impact"] in BLOCKING:
                nodes = "\n      ".join(found["nodes"][:5])
                self.violations.append(f"{what} [{self.lang}]: {found['id']} ({found['impact']}) {found['help']}"
                                       f"\n      {nodes}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_and_recipient_page_has_no_serious_barrier(axe_page, live_server, lived_fund, fund, lang):
    slug, receipt, monthly = lived_fund
    visit = Audit(axe_page, live_server, lang)
    page = axe_page

    visit.open("/", "home")
    visit.open("/pools", "pool list")
    visit.open(f"/pools/{slug}", "pool page")
    visit.open(f"/pools/{slug}/give", "give page")
    page.fill("input[name=custom_amount]", "twenty")
    visit.submit("give page, refused", status=400, at=f"/pools/{slug}/give?lang={lang}",
                 showing="input[name=custom_amount]")
    visit.open(f"/gifts/{receipt}", "receipt")
    visit.open(f"/monthly/{monthly}", "a monthly gift")
    visit.open("/pools/no-such-pool", "a page that is not there", status=404)

    visit.open("/request", "request form")
    visit.submit("request form with errors", status=422, at="/request", showing="#amount")
    page.fill("#amount", "40")
    page.check("input[name=category][value=food]")
    page.check("input[name=method][value=cash]")
    page.fill("#contact", "I will check back here")
    visit.submit("codename page", at="/request", showing=".codename")
    codename = page.locator(".codename").inner_text().strip()
    page.fill("#typed", "not my codename at all")
    visit.submit("codename page, mistyped", status=422, at="/request/confirm", showing="#typed")
    page.fill("#typed", codename)
    visit.submit("request saved", at="/request/confirm")

    visit.open("/status", "status form")
    page.fill("#codename", "no such codename here")
    visit.submit("status form with errors", status=404, at="/status", showing="#codename")
    page.fill("#codename", codename)
    visit.submit("status of a new request", at="/status")
    visit.open("/status", "status form, again")
    page.fill("#codename", next(iter(fund.codenames.values())))
    visit.submit("status of a paid request", at="/status")

    visit.open("/ledger", "public ledger")
    visit.open("/ledger/entries/0", "a ledger entry")
    visit.open("/ledger/check", "checking the ledger")
    visit.open("/impact", "impact report")
    visit.open(f"/report/{(datetime.now(UTC) - timedelta(days=1)).year}", "annual report")

    visit.open("/committee/login", "committee sign-in")
    page.fill("input[name=login_name]", "nobody")
    page.fill("input[name=password]", "wrong")
    visit.submit("committee sign-in, refused", at="/committee/login", showing="input[name=password]")

    assert visit.violations == [], "\n".join(visit.violations)
    assert len(visit.checked) == 25


def test_the_check_itself_catches_a_field_without_a_label(axe_page, live_server):
    visit = Audit(axe_page, live_server, "fr")
    visit.open("/", "home")
    assert visit.violations == []
    axe_page.evaluate("""() => {
      const field = document.createElement("input");
      document.querySelector("main").append(field);
    }""")
    visit.check("home with a field nobody named")
    assert len(visit.violations) == 1 and "label (critical)" in visit.violations[0]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_committee_page_has_no_serious_barrier(axe_page, live_server, lived_fund, fund, lang):
    """The coordinator (who may open every committee page) signs in with a code and goes through
    the queue, a request, distribution day, members, keys, pools, offline gifts and publishing."""
    slug = lived_fund[0]
    waiting = fund.ask(3_000, "food")
    dora = fund.people["dora"]
    visit = Audit(axe_page, live_server, lang)
    page = axe_page
    page.set_extra_http_headers({"Accept-Language": lang})  # the pages after a redirect speak it too

    visit.open("/committee/login", "committee sign-in")
    page.fill("#login_name", dora.login_name)
    page.fill("#password", PASSWORD)
    visit.submit("second step of signing in", "form:has(#password)", at="/committee/login/code", showing="#code")
    page.fill("#code", pyotp.TOTP(dora.totp_secret).now())
    visit.submit("dashboard, signed in", "form:has(#code)", at="/committee/")

    visit.open("/committee/queue", "queue")
    visit.open(f"/committee/requests/{waiting}", "a request waiting for votes")
    visit.submit("asked once more before approving", "form:has(#approve)",
                 at=f"/committee/requests/{waiting}/vote", showing="#confirm")
    visit.open("/committee/payouts", "distribution day")
    visit.open("/committee/members", "members")
    visit.open("/committee/key", "key page")
    visit.open("/committee/pools/new", "new pool")
    visit.submit("new pool, refused", "form:has(#slug)", status=400, at=f"/committee/pools/new?lang={lang}",
                 showing="#slug")
    visit.open(f"/committee/pools/{slug}/edit", "editing a pool")
    visit.open(f"/committee/pools/{slug}/offline-gifts/new", "recording an offline gift")
    page.fill("#amount", "zero")
    visit.submit("offline gift, refused", "form:has(#amount)", status=400,
                 at=f"/committee/pools/{slug}/offline-gifts/new?lang={lang}", showing="#amount")
    visit.open("/committee/transparency", "publishing who decides")
    visit.open("/committee/incidents", "recording an incident")

    assert visit.violations == [], "\n".join(visit.violations)
    assert len(visit.checked) == 16


#: neither the page nor a box inside it (a table in a scrolling wrapper) is wider than the screen
FITS_360 = """() => document.documentElement.scrollWidth <= window.innerWidth
  && [...document.querySelectorAll("main *")].every(e => e.scrollWidth <= e.clientWidth + 1
     || getComputedStyle(e).overflowX === "visible")"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pages_with_tables_fit_a_360_pixel_phone_without_sideways_scrolling(
    app, browser, live_server, lived_fund, fund, lang, sign_in, run
):
    """The public ledger and its entries, the impact report, a pool's recent lines, the committee
    queue and the members page stack their rows into cards on a narrow phone instead of scrolling
    sideways, the page or any table in it."""
    slug = lived_fund[0]
    fund.ask(3_000, "food")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    wide = []
    # the published entries with the most postings (a payout, a card gift with its fee): the widest
    p, e = schema.postings.c, schema.entries.c
    widest = run(lambda s: s.scalars(
        select(p.entry_seq).join(schema.entries, e.seq == p.entry_seq)
        .where(e.booked_on < datetime.now(UTC).date())
        .group_by(p.entry_seq).order_by(func.count().desc(), p.entry_seq).limit(2)
    ).all())
    entries = [f"/ledger/entries/{seq}" for seq in widest]
    public = ("/", "/ledger", *entries, "/impact", "/report", f"/pools/{slug}", "/request", "/status", "/status/lost")
    for path in public:
        assert page.goto(f"{live_server}{path}?lang={lang}").status == 200, path
        if not page.evaluate(FITS_360):
            wide.append(path)
    signed_in = app.test_client()
    sign_in(signed_in, fund.people["dora"])
    context.add_cookies([{"name": "ayni_session", "value": signed_in.get_cookie("ayni_session").value,
                          "url": live_server}])
    for path in ("/committee/queue", "/committee/members", "/committee/incidents"):
        assert page.goto(f"{live_server}{path}?lang={lang}").status == 200, path
        if not page.evaluate(FITS_360):
            wide.append(path)
    context.close()
    assert wide == [], f"scrolls sideways at 360 px in {lang}: {wide}"
