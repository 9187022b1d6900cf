"""Signed checkpoints read and written in the C2SP formats, refused when anything is off."""

from __future__ import annotations

import base64
from hashlib import sha256

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoint import Checkpoint, Signer, Verifier, generate_signer, key_hash, open_note, verify_note
from ledger.errors import CheckpointError

ED25519 = b"\x01"
ORIGIN = "ayni.example.org/books"
ROOT = sha256(b"the books").digest()
SIGNER = generate_signer(ORIGIN)
VERIFIER = Verifier.from_vkey(SIGNER.vkey)
NOTE = SIGNER.sign_note(Checkpoint(ORIGIN, 1234, ROOT))
DASH = "\N{EM DASH}"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_a_signed_checkpoint_opens_to_the_same_checkpoint():
    assert open_note(NOTE, VERIFIER) == Checkpoint(ORIGIN, 1234, ROOT)
    body, signatures = NOTE.split("\n\n")
    assert body + "\n" == f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\n"
    assert signatures.startswith(f"{DASH} {ORIGIN} ") and signatures.endswith("\n")
    assert signatures.count("\n") == 1


def test_the_key_hash_and_key_strings_follow_the_note_format():
    public = VERIFIER.public_key
    expected = sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
    assert key_hash(ORIGIN, public) == VERIFIER.key_hash == expected
    assert SIGNER.vkey == f"{ORIGIN}+{expected.hex()}+{b64(ED25519 + public)}"
    assert SIGNER.skey.startswith(f"PRIVATE+KEY+{ORIGIN}+{expected.hex()}+")
    signature = base64.b64decode(NOTE.rstrip("\n").rsplit(" ", 1)[1])
    assert signature[:4] == expected and len(signature) == 68
    assert Signer(SIGNER.skey).vkey == SIGNER.vkey  # the secret key string round-trips


def test_a_known_seed_gives_the_key_strings_golang_note_would():
    seed = bytes(range(32))
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    name = "example.com/log"
    hash_hex = sha256(name.encode() + b"\n\x01" + public).digest()[:4].hex()
    signer = Signer(f"PRIVATE+KEY+{name}+{hash_hex}+{b64(ED25519 + seed)}")
    assert signer.vkey == f"{name}+{hash_hex}+{b64(ED25519 + public)}"
    note = signer.sign_note(Checkpoint(name, 0, sha256(b"").digest()))
    assert open_note(note, Verifier.from_vkey(signer.vkey)).size == 0  # Ed25519 is deterministic
    assert note == signer.sign_note(Checkpoint(name, 0, sha256(b"").digest()))


def _with_body(body: str) -> str:
    """A note whose body is replaced but whose signature line is kept."""
    return body + NOTE[NOTE.index("\n\n") + 1 :]


ROOT64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    ("why", "note"),
    [
        ("size changed", _with_body(f"{ORIGIN}\n1235\n{ROOT64}\n")),
        ("root changed", _with_body(f"{ORIGIN}\n1234\n{base64.b64encode(sha256(b'x').digest()).decode()}\n")),
        ("origin changed", _with_body(f"ayni.example.org/other\n1234\n{ROOT64}\n")),
        ("extension line added", _with_body(f"{ORIGIN}\n1234\n{ROOT64}\nextra\n")),
        ("signature flipped", NOTE[:-10] + ("A" if NOTE[-10] != "A" else "B") + NOTE[-9:]),
        ("signature cut short", NOTE[:-20] + "\n"),
        ("no signature", NOTE[: NOTE.index("\n\n") + 2]),
        ("no blank line", NOTE.replace("\n\n", "\n")),
        ("no final newline", NOTE[:-1]),
        ("garbage after the signatures", NOTE + "garbage\n"),
        ("a signature line without the em dash", NOTE.replace(DASH, "-")),
        ("a control character", NOTE.replace(ORIGIN, ORIGIN + "\x07", 1)),
        ("empty", ""),
    ],
)
def test_a_tampered_or_malformed_note_is_refused(why, note):
    with pytest.raises(CheckpointError):
        open_note(note, VERIFIER)


@pytest.mark.parametrize(
    ("why", "body"),
    [
        ("size with a leading zero", f"{ORIGIN}\n01234\n{ROOT64}\n"),
        ("size with a sign", f"{ORIGIN}\n+1234\n{ROOT64}\n"),
        ("size in other digits", f"{ORIGIN}\n\u0661\u0662\n{ROOT64}\n"),
        ("negative size", f"{ORIGIN}\n-1\n{ROOT64}\n"),
        ("size beyond 2**63", f"{ORIGIN}\n{2**64}\n{ROOT64}\n"),
        ("root of 31 bytes", f"{ORIGIN}\n1234\n{base64.b64encode(ROOT[:31]).decode()}\n"),
        ("root in hex", f"{ORIGIN}\n1234\n{ROOT.hex()}\n"),
        ("root without padding", f"{ORIGIN}\n1234\n{ROOT64.rstrip('=')}\n"),
        ("empty origin", f"\n1234\n{ROOT64}\n"),
        ("two lines only", f"{ORIGIN}\n1234\n"),
    ],
)
def test_a_validly_signed_but_malformed_body_is_refused(why, body):
    signature = base64.b64encode(VERIFIER.key_hash + SIGNER._key.sign(body.encode())).decode()
    with pytest.raises(CheckpointError):
        open_note(f"{body}\n{DASH} {ORIGIN} {signature}\n", VERIFIER)


def test_a_checkpoint_signed_by_another_key_is_refused_even_under_the_same_name():
    impostor = generate_signer(ORIGIN)
    with pytest.raises(CheckpointError, match="no signature by"):
        open_note(impostor.sign_note(Checkpoint(ORIGIN, 1234, ROOT)), VERIFIER)
    stranger = generate_signer("someone.else/books")
    with pytest.raises(CheckpointError):
        open_note(stranger.sign_note(Checkpoint("someone.else/books", 1234, ROOT)), VERIFIER)


def test_a_bad_signature_claiming_our_key_is_refused_even_beside_a_good_one():
    body = NOTE[: NOTE.index("\n\n") + 1]
    forged = base64.b64encode(VERIFIER.key_hash + bytes(64)).decode()
    with pytest.raises(CheckpointError, match="does not verify"):
        open_note(NOTE + f"{DASH} {ORIGIN} {forged}\n", VERIFIER)
    assert body.endswith(f"{ROOT64}\n")


def test_witness_cosignatures_by_unknown_keys_are_ignored():
    witness = generate_signer("witness.example/w1")
    cosignature = base64.b64encode(witness.verifier.key_hash + witness._key.sign(b"anything")).decode()
    timestamped = base64.b64encode(b"\x12\x34\x56\x78" + bytes(72)).decode()  # a tlog-cosignature shape
    cosigned = NOTE + f"{DASH} witness.example/w1 {cosignature}\n{DASH} witness.example/w2 {timestamped}\n"
    assert open_note(cosigned, VERIFIER) == Checkpoint(ORIGIN, 1234, ROOT)
    witness_first = NOTE.replace("\n\n", f"\n\n{DASH} witness.example/w1 {cosignature}\n")
    assert open_note(witness_first, VERIFIER).size == 1234


def test_a_signer_signs_only_its_own_origin_and_checkpoints_are_valid_values():
    with pytest.raises(CheckpointError):
        SIGNER.sign_note(Checkpoint("another.example/books", 1, ROOT))
    for bad in (("", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, True, ROOT), (ORIGIN, 1, ROOT[:31]), ("a b", 1, ROOT)):
        with pytest.raises(CheckpointError):
            Checkpoint(*bad)


@pytest.mark.parametrize(
    "vkey",
    [
        SIGNER.vkey.replace("+", "-", 1),
        SIGNER.vkey[:-4] + "AAA=",  # another key under the same key hash
        "+".join([ORIGIN, "00000000", SIGNER.vkey.rsplit("+", 1)[1]]),
        "+".join([ORIGIN, VERIFIER.key_hash.hex(), base64.b64encode(b"\x02" + VERIFIER.public_key).decode()]),
        "",
    ],
    # the key is made afresh at each run: name the cases, so every test worker collects the same ones
    ids=["no-separator", "another-key-same-hash", "wrong-hash", "not-ed25519", "empty"],
)
def test_a_malformed_or_inconsistent_verifier_key_is_refused(vkey):
    with pytest.raises(CheckpointError):
        Verifier.from_vkey(vkey)


def test_a_malformed_signer_key_is_refused():
    for skey in (SIGNER.skey.replace("PRIVATE", "PUBLIC"), SIGNER.skey[:-8] + "AAAAAAA=", SIGNER.vkey):
        with pytest.raises(CheckpointError):
            Signer(skey)


def test_the_reference_vectors_of_golang_sumdb_note():
    """From golang.org/x/mod/sumdb/note's own tests: our keys and signatures are byte-identical."""
    vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    signed = (
        text + f"\n{DASH} PeterNeumann "
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    )
    signer = Signer(skey)
    assert signer.vkey == vkey
    assert signer.sign(text) == signed
    assert verify_note(signed, Verifier.from_vkey(vkey)) == text
    with pytest.raises(CheckpointError):
        open_note(signed, Verifier.from_vkey(vkey))  # a valid note, but no checkpoint inside
