"""A donor checks their entry's proof in a real browser (chromium): the fund's signature and the
audit path are checked on their own machine, and a changed amount is caught."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from funds.scheduler import run_job
from ledger.cosignature import generate_cosigner, split_note, with_lines

pytestmark = [pytest.mark.sqlite_only, pytest.mark.browser]


def test_a_donor_checks_a_proof_in_the_browser_and_a_forged_one_fails(app, client, fund, live_server, page,
                                                                      tmp_path):
    _gift, seq = fund.gift(12_345, public_name="Zofia")
    fund.supported(4_000, "rent")
    size = run_job(app, "sign-checkpoints")
    proof, note = tmp_path / "proof.json", tmp_path / "checkpoint.txt"
    proof.write_bytes(client.get(f"/api/v1/ledger/entries/{seq}/proof?size={size}").data)
    note.write_bytes(client.get(f"/api/v1/ledger/checkpoints/{size}").data)
    problems: list[str] = []

    def watch(message) -> None:
        # Errors only (a CSP refusal would show here); the browser's own favicon guess is not ours.
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            problems.append(message.text)

    page.on("console", watch)

    page.goto(f"{live_server}/ledger/entries/{seq}")
    expect(page.locator(".entry-what")).to_have_text("Gift in cash — from Zofia")
    page.get_by_role("link", name="Or check the two files in this browser").click()
    page.locator("#proof-file").set_input_files(str(proof))
    page.locator("#checkpoint-file").set_input_files(str(note))
    page.get_by_role("button", name="Check the proof").click()
    expect(page.locator("#check-result")).to_have_text(
        f"ok: entry {seq} is in the books of ayni.test/transparency, checkpoint size {size} verified.")
    expect(page.locator("#check-entry")).to_contain_text("-12345")

    forged = json.loads(proof.read_text())
    forged["entry"] = forged["entry"].replace("12345", "2345")
    proof.write_text(json.dumps(forged))
    page.locator("#proof-file").set_input_files(str(proof))
    page.get_by_role("button", name="Check the proof").click()
    expect(page.locator("#check-result")).to_contain_text("FAILED: the proof does not lead to the signed root")

    page.locator("#public-key").fill(page.locator("#public-key").input_value().replace("+", "+0", 1))
    page.get_by_role("button", name="Check the proof").click()
    expect(page.locator("#check-result")).to_contain_text("FAILED: the public key")
    assert problems == []


def test_the_browser_check_can_require_witness_cosignatures_and_says_whose_it_found(
    app, client, fund, live_server, page, tmp_path
):
    _gift, seq = fund.gift(5_000)
    size = run_job(app, "sign-checkpoints")
    proof, note = tmp_path / "proof.json", tmp_path / "checkpoint.txt"
    proof.write_bytes(client.get(f"/api/v1/ledger/entries/{seq}/proof?size={size}").data)
    signed = client.get(f"/api/v1/ledger/checkpoints/{size}").get_data(as_text=True)
    body, _lines = split_note(signed)
    ada, bob = generate_cosigner("witness.ada.example"), generate_cosigner("witness.bob.example")
    note.write_text(with_lines(signed, [ada.cosign(body, 1_765_000_000)]))

    page.goto(f"{live_server}/ledger/check?lang=en")
    page.locator("#proof-file").set_input_files(str(proof))
    page.locator("#checkpoint-file").set_input_files(str(note))
    page.locator("#witness-keys").fill(f"{ada.vkey}\n{bob.vkey}")
    page.locator("#witnesses-required").fill("1")
    page.get_by_role("button", name="Check the proof").click()
    expect(page.locator("#check-result")).to_contain_text(f"ok: entry {seq} is in the books")
    # two are required, one co-signed: the check fails and names whose cosignature it found
    page.locator("#witnesses-required").fill("2")
    page.get_by_role("button", name="Check the proof").click()
    expect(page.locator("#check-result")).to_have_text(
        "FAILED: the checkpoint carries 1 of the 2 witness cosignatures required; found: witness.ada.example")
    # a cosignature line that does not verify is refused, not skipped
    forged = with_lines(signed, [ada.cosign(body.replace(str(size), str(size + 1), 1), 1_765_000_000)])
    note.write_text(forged)
    page.locator("#checkpoint-file").set_input_files(str(note))
    page.locator("#witnesses-required").fill("1")
    page.get_by_role("button", name="Check the proof").click()
    expect(page.locator("#check-result")).to_contain_text(
        "FAILED: the cosignature by witness.ada.example does not verify")
