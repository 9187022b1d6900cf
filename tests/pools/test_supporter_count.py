"""The pool page's supporter count is kept by the database as gifts are paid, refunded or removed,
so the page never counts a pool's whole history (migration 0008)."""

from sqlalchemy import delete, update

from funds.donations.models import Gift
from funds.donations.supporters import supporter_counts

#: a published size beyond any test's books: every entry counts
EVERYTHING = 10**12


def test_the_kept_supporter_count_follows_each_gift(run, make_committee):
    _committee, pool_id = make_committee("Counting committee", "counted")

    def add(session, status: str) -> int:
        gift = Gift(pool_id=pool_id, amount=1000, currency="EUR", source="offline", status=status)
        session.add(gift)
        session.flush()
        return gift.id

    def count() -> int:
        return run(lambda session: supporter_counts(session, [pool_id])[pool_id])

    assert count() == 0
    paid = run(lambda session: add(session, "paid"))
    pending = run(lambda session: add(session, "pending"))
    assert count() == 1
    run(lambda session: session.execute(update(Gift).where(Gift.id == pending).values(status="paid")))
    assert count() == 2
    run(lambda session: session.execute(update(Gift).where(Gift.id == paid).values(status="refunded")))
    assert count() == 1
    run(lambda session: session.execute(delete(Gift).where(Gift.id == pending)))
    assert count() == 0


def test_times_people_were_supported_counts_payouts_not_reservations(run, make_committee):
    from funds.pools import accounts
    from funds.pools.figures import figures
    from funds.pools.models import Pool
    from ledger import store
    from ledger.entry import Entry, Posting

    _committee, pool_id = make_committee("Paying committee", "paying")

    def move(key: str, source: str, target: str, amount: int):
        return lambda s: store.post(s, Entry(key, "transfer", (Posting(source, "EUR", -amount),
                                                             Posting(target, "EUR", amount)), {"what": key}))

    def supported() -> int:
        return run(lambda s: figures(s, [s.get(Pool, pool_id)], published=EVERYTHING)[pool_id].people_supported)

    available, food = accounts.available(pool_id), accounts.paid(pool_id, "food")
    run(move("gift", accounts.donations("offline", "EUR"), available, 10_000))
    reservation = run(lambda s: store.reserve(s, "hold", (Posting(available, "EUR", -3000),
                                                          Posting(food, "EUR", 3000))).seq)
    assert supported() == 0
    run(lambda s: store.settle(s, "paid", reservation))
    assert supported() == 1
    run(move("paid-directly", available, accounts.paid(pool_id, "rent"), 2000))
    assert supported() == 2
