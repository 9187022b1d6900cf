"""A witness's cosignature reads as the C2SP tlog-cosignature v1 spec and an independent implementation say.

Vectors, and where they come from:

- transparency-dev/formats ``note/note_cosigv1_test.go`` (TestCoSigV1NewVerifier,
  TestCosignatureTimestamp): the real witness key ``remora.n621.de+da77ade7+BOvN...`` (a native
  0x04 cosignature key, so its key ID checks our SHA-256(name || "\\n" || 0x04 || key)[:4]), the
  0x01 key ``TEST+7997405c+AQcC...`` it accepts as a cosignature key, the keys it refuses, and a
  cosignature whose timestamp it reads as 1727964367 next to a plain Ed25519 signature (68 bytes)
  it refuses as the wrong type.
- C2SP ``tlog-cosignature.md``: its example line by ``witness.example.com/w1`` carries the time
  1679315147 of the example signed message.

Neither source publishes a key with a message and an expected signature, so the bytes we sign
are checked by the spec's message layout (asserted below) and by round trips.
"""

from __future__ import annotations

import base64

import pytest

from ledger.checkpoint import Checkpoint, generate_signer, open_note
from ledger.cosignature import (
    CosignatureVerifier,
    Cosigner,
    cosignature_key_id,
    cosignatures,
    generate_cosigner,
    read_line,
    signed_message,
    with_lines,
)
from ledger.errors import CheckpointError

REMORA = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
TEST_ED25519 = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
FORMATS_COSIGNATURE = (
    "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA=="
)
FORMATS_PLAIN_SIGNATURE = "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY="
SPEC_LINE = (
    "\N{EM DASH} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2"
    "oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_a_real_witness_key_has_the_key_id_the_go_implementation_computes():
    witness = CosignatureVerifier.from_vkey(REMORA)
    assert witness.name == "remora.n621.de"
    assert witness.key_id.hex() == "da77ade7"
    assert cosignature_key_id(witness.name, witness.public_key).hex() == "da77ade7"
    assert witness.vkey == REMORA


def test_an_ordinary_ed25519_key_is_read_as_the_same_key_for_cosignatures():
    witness = CosignatureVerifier.from_vkey(TEST_ED25519)
    assert witness.vkey.startswith("TEST+") and witness.vkey.split("+", 2)[2].startswith("BA")
    assert witness.key_id != bytes.fromhex("7997405c")  # the 0x04 key ID differs from the 0x01 one


@pytest.mark.parametrize("vkey", [
    "bananas.sigstore.dev+12344556",
    "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
    "rekor.sigstore.dev+12345678+AwEB",
    "remora.n621.de+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
])  # fmt: skip
def test_keys_the_go_implementation_refuses_are_refused(vkey):
    with pytest.raises(CheckpointError):
        CosignatureVerifier.from_vkey(vkey)


def test_the_timestamp_sits_after_the_key_id_big_endian_as_in_both_sources():
    raw = base64.b64decode(FORMATS_COSIGNATURE)
    assert len(raw) == 76 and int.from_bytes(raw[4:12], "big") == 1727964367
    name, spec = read_line(SPEC_LINE)
    assert name == "witness.example.com/w1" and len(spec) == 76
    assert int.from_bytes(spec[4:12], "big") == 1679315147


def test_the_signed_message_is_the_spec_example_byte_for_byte():
    assert signed_message(SPEC_BODY, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_a_plain_signature_by_a_known_witness_key_is_refused_as_the_wrong_type():
    cosigner = generate_cosigner("witness.example/w1")
    raw = cosigner.verifier.key_id + base64.b64decode(FORMATS_PLAIN_SIGNATURE)[4:]
    note = SPEC_BODY + "\n" + f"\N{EM DASH} witness.example/w1 {base64.b64encode(raw).decode()}\n"
    with pytest.raises(CheckpointError, match="not a cosignature/v1"):
        cosignatures(note, [cosigner.verifier])


def test_a_cosigned_checkpoint_still_opens_with_the_funds_key_and_names_its_witnesses():
    log = generate_signer("ayni.example/ledger")
    note = log.sign_note(Checkpoint("ayni.example/ledger", 7, bytes(range(32))))
    first, second = generate_cosigner("w1.example/witness"), generate_cosigner("w2.example/witness")
    body = note[: note.index("\n\n") + 1]
    cosigned = with_lines(note, [first.cosign(body, 1_700_000_000), second.cosign(body, 1_700_000_001)])
    assert open_note(cosigned, log.verifier).size == 7
    found = cosignatures(cosigned, [first.verifier, second.verifier])
    assert [(c.name, c.timestamp) for c in found] == [
        ("w1.example/witness", 1_700_000_000),
        ("w2.example/witness", 1_700_000_001),
    ]
    # the log's own line and unknown witnesses are ignored, not counted
    assert cosignatures(cosigned, [generate_cosigner("w3.example/witness").verifier]) == []


def test_a_cosignature_moved_to_another_checkpoint_does_not_verify():
    log = generate_signer("ayni.example/ledger")
    witness = generate_cosigner("w1.example/witness")
    seven = log.sign_note(Checkpoint("ayni.example/ledger", 7, bytes(32)))
    eight = log.sign_note(Checkpoint("ayni.example/ledger", 8, bytes(32)))
    line = witness.cosign(seven[: seven.index("\n\n") + 1], 1_700_000_000)
    with pytest.raises(CheckpointError, match="does not verify"):
        cosignatures(with_lines(eight, [line]), [witness.verifier])


def test_a_witness_key_survives_being_written_out_and_read_back():
    witness = generate_cosigner("w1.example/witness")
    again = Cosigner(witness.skey)
    assert again.vkey == witness.vkey
    assert CosignatureVerifier.from_vkey(witness.vkey).key_id == witness.verifier.key_id
