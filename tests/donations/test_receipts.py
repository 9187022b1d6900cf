"""A donor's receipt: its ledger entry, and a proof they can check offline with ledger.verify."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta

from funds.books import app_signer
from funds.clock import now
from funds.donations.models import Gift
from ledger import audit, schema

from .conftest import event


def _paid_gift(run, deliver, charged_gift) -> Gift:
    gift_id, intent = charged_gift(2500)
    assert deliver(event("payment_intent.succeeded", intent)).json == {"status": "booked"}
    return run(lambda s: s.get(Gift, gift_id))


def test_a_receipt_shows_the_amount_the_pool_and_the_ledger_entry(client, run, deliver, charged_gift):
    gift = _paid_gift(run, deliver, charged_gift)
    leaf = run(lambda s: s.execute(schema.entries.select().where(schema.entries.c.seq == gift.entry_seq)).one())
    response = client.get(f"/gifts/{gift.token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "PLN\xa025.00" in page and "Pool mutual-aid" in page
    assert f'<dd class="entry-seq"><a href="/ledger/entries/{gift.entry_seq}?lang=en">{gift.entry_seq}</a></dd>' in page
    assert bytes(leaf.leaf_hash).hex() in page
    assert "after the day closes (midnight UTC)" in page and "A downloadable proof appears here then." in page


def test_a_receipt_address_is_random_not_a_count(run, charged_gift):
    first, _ = charged_gift()
    second, _ = charged_gift()
    tokens = run(lambda s: [s.get(Gift, first).token, s.get(Gift, second).token])
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", t) for t in tokens) and tokens[0] != tokens[1]


def test_a_receipt_waits_for_the_payment_without_javascript(client, run, charged_gift):
    gift_id, intent = charged_gift()
    run(lambda s: setattr(s.get(Gift, gift_id), "stripe_payment_intent_id", intent["id"]))
    token = run(lambda s: s.get(Gift, gift_id).token)
    response = client.get(f"/gifts/{token}")
    assert response.headers["Refresh"] == "3"
    assert "Waiting for the card payment to be confirmed" in response.get_data(as_text=True)
    # after ten minutes it stops reloading and says what to do instead
    run(lambda s: setattr(s.get(Gift, gift_id), "created_at", now() - timedelta(minutes=11)))
    slow = client.get(f"/gifts/{token}")
    assert "Refresh" not in slow.headers and "open this address again later" in slow.get_data(as_text=True)


def test_a_gift_whose_card_step_was_never_finished_says_so_and_offers_a_way_on(client, run, charged_gift):
    gift_id, _intent = charged_gift()
    token = run(lambda s: s.get(Gift, gift_id).token)
    response = client.get(f"/gifts/{token}?lang=en")
    page = response.get_data(as_text=True)
    assert "Refresh" not in response.headers and "nothing was charged" in page
    assert f'href="/gifts/{token}/pay?lang=en"' in page and 'href="/pools/mutual-aid/give?lang=en"' in page


def test_once_a_checkpoint_covers_the_gift_its_proof_verifies_offline(
    app, client, config, run, deliver, charged_gift, tmp_path
):
    gift = _paid_gift(run, deliver, charged_gift)
    run(lambda s: audit.checkpoint(s, app_signer(app), config.ledger_origin))
    page = client.get(f"/gifts/{gift.token}").get_data(as_text=True)
    proof_url, checkpoint_url = re.findall(r'<a download href="([^"]+)"', page)
    command = re.search(r'<pre class="command">(.+?)</pre>', page).group(1)
    vkey = app_signer(app).vkey
    assert command.endswith(f"--public-key '{vkey}'")
    proof, checkpoint = tmp_path / "proof.json", tmp_path / "checkpoint.txt"
    proof.write_bytes(client.get(proof_url).data)
    checkpoint.write_bytes(client.get(checkpoint_url).data)
    verify = [sys.executable, "-m", "ledger.verify", str(proof), "--checkpoint", str(checkpoint), "--public-key", vkey]
    checked = subprocess.run(verify, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"ok: entry {gift.entry_seq} is in the books of {config.ledger_origin}")
    forged = json.loads(proof.read_text())
    forged["entry"] = forged["entry"].replace("mutual-aid", "someone-else")
    proof.write_text(json.dumps(forged))
    assert subprocess.run(verify, capture_output=True, text=True, timeout=60).returncode == 1
