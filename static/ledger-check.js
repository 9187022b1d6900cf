// Checks an Ayni inclusion proof against a signed checkpoint, in the browser, with WebCrypto only:
// the C2SP signed note's Ed25519 signature by the fund's key, the witnesses' C2SP cosignature/v1
// lines if a number of them is required, then the RFC 9162 audit path from the entry's leaf hash to
// the checkpoint's root. The same checks as `python -m ledger.verify [--witness KEY] [--witnesses N]`.
"use strict";
(function () {
  const form = document.getElementById("check-form");
  if (!form) return;
  const result = document.getElementById("check-result");
  const shown = document.getElementById("check-entry");
  const utf8 = new TextEncoder();

  class Refused extends Error {}
  const refuse = (reason) => { throw new Refused(reason); };
  const sha256 = async (...parts) => {
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) { joined.set(part, at); at += part.length; }
    return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  };
  const fromBase64 = (text, what) => {
    try { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); } catch (e) { return refuse(what + " is not base64"); }
  };
  const fromHex = (text) => Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  async function openKey(vkey) {
    // name+hash+key: the base64 key may itself contain "+", so split at the first two only
    const parts = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim())?.slice(1);
    if (!parts) refuse("the public key reads name+hash+key");
    const raw = fromBase64(parts[2], "the public key");
    if (raw.length !== 33 || raw[0] !== 1) refuse("the public key is not an Ed25519 key");
    const hash = (await sha256(utf8.encode(parts[0] + "\n"), raw)).slice(0, 4);
    if (!same(hash, fromHex(parts[1]))) refuse("the public key's hash does not match its name and key");
    let key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) { refuse(form.dataset.unsupported); }
    return { name: parts[0], hash, key };
  }

  async function openWitness(vkey) {
    // name+hash+base64(0x04 || key) (or the 0x01 key of the same Ed25519 key); cosignature lines
    // carry SHA-256(name || "\n" || 0x04 || key)[:4] as their key ID
    const parts = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim())?.slice(1);
    if (!parts) refuse("a witness key reads name+hash+key: " + vkey.trim());
    const raw = fromBase64(parts[2], "a witness key");
    if (raw.length !== 33 || (raw[0] !== 1 && raw[0] !== 4)) refuse("a witness key is not an Ed25519 key");
    const named = (await sha256(utf8.encode(parts[0] + "\n"), raw)).slice(0, 4);
    if (!same(named, fromHex(parts[1]))) refuse("the witness key's hash does not match its name and key");
    const id = (await sha256(utf8.encode(parts[0] + "\n"), new Uint8Array([4]), raw.slice(1))).slice(0, 4);
    let key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) { refuse(form.dataset.unsupported); }
    return { name: parts[0], id, key };
  }

  async function cosigned(witness, text, raw) {
    // key ID (4), big-endian seconds (8), Ed25519 signature (64) over "cosignature/v1\ntime T\n" + body
    if (raw.length !== 76) refuse("the cosignature by " + witness.name + " is not a cosignature/v1");
    const time = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0);
    const message = utf8.encode("cosignature/v1\ntime " + time + "\n" + text);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, witness.key, raw.slice(12), message))) {
      refuse("the cosignature by " + witness.name + " does not verify");
    }
  }

  async function openCheckpoint(note, signer, witnesses = [], required = 0) {
    if (!note.endsWith("\n")) refuse("a signed note ends with a newline");
    const split = note.lastIndexOf("\n\n");
    if (split < 0) refuse("a signed note has a blank line before its signatures");
    const text = note.slice(0, split + 1);
    let verified = false;
    const found = new Set();
    for (const line of note.slice(split + 2, -1).split("\n")) {
      if (!line.startsWith("\u2014 ")) refuse("a signature line starts with an em dash");
      const [name, sig64] = line.slice(2).split(" ");
      const raw = fromBase64(sig64 || "", "a signature");
      const witness = witnesses.find((w) => w.name === name && raw.length >= 4 && same(raw.slice(0, 4), w.id));
      if (witness) { await cosigned(witness, text, raw); found.add(witness.name); continue; }
      if (name !== signer.name || raw.length < 5 || !same(raw.slice(0, 4), signer.hash)) continue; // someone else
      if (!(await crypto.subtle.verify({ name: "Ed25519" }, signer.key, raw.slice(4), utf8.encode(text)))) {
        refuse("the checkpoint's signature does not verify with this key");
      }
      verified = true;
    }
    if (!verified) refuse("the checkpoint carries no signature by " + signer.name);
    if (found.size < required) {
      refuse("the checkpoint carries " + found.size + " of the " + required + " witness cosignatures required; found: " +
             ([...found].join(", ") || "none"));
    }
    const [origin, size, root64, extra] = text.split("\n");
    if (origin !== signer.name) refuse("the checkpoint is for " + origin + ", the key for " + signer.name);
    if (!/^(0|[1-9][0-9]{0,18})$/.test(size) || extra !== "") refuse("the checkpoint body is malformed");
    const root = fromBase64(root64, "the checkpoint root");
    if (root.length !== 32) refuse("the checkpoint root is not a SHA-256 hash");
    return { origin, size: BigInt(size), root };
  }

  async function checkInclusion(proof, checkpoint) {
    if (!proof || proof.format !== "ayni-inclusion-proof/1") refuse("not an ayni-inclusion-proof/1 document");
    if (proof.origin !== checkpoint.origin) refuse("the proof is for " + proof.origin + ", the checkpoint for " + checkpoint.origin);
    if (!Number.isInteger(proof.size) || BigInt(proof.size) !== checkpoint.size) refuse("the proof and the checkpoint are of different sizes");
    if (!Array.isArray(proof.hashes) || !proof.hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) refuse("every proof hash is 64 hex digits");
    let entry;
    try { entry = JSON.parse(proof.entry); } catch (e) { refuse("the proven entry is not valid JSON"); }
    if (!Number.isInteger(proof.seq) || entry.seq !== proof.seq) refuse("the entry's own seq does not match the proof's");
    let fn = BigInt(proof.seq), sn = checkpoint.size - 1n;
    if (fn > sn) refuse("the entry is not in a tree of this size");
    let r = await sha256(new Uint8Array([0]), utf8.encode(proof.entry));
    for (const hex of proof.hashes) {
      const p = fromHex(hex);
      if (sn === 0n) refuse("the proof is longer than this tree needs");
      if (fn & 1n || fn === sn) {
        r = await sha256(new Uint8Array([1]), p, r);
        while (!(fn & 1n) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await sha256(new Uint8Array([1]), r, p);
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n || !same(r, checkpoint.root)) refuse("the proof does not lead to the signed root: the entry is not in these books as shown");
    return entry;
  }

  const read = (id) => { const file = document.getElementById(id).files[0]; return file ? file.text() : null; };
  const say = (ok, text) => { result.hidden = false; result.className = ok ? "ok" : "bad"; result.textContent = text; };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    shown.hidden = true;
    const [proofText, noteText] = await Promise.all([read("proof-file"), read("checkpoint-file")]);
    if (proofText === null || noteText === null) { say(false, form.dataset.missing); return; }
    try {
      const signer = await openKey(document.getElementById("public-key").value);
      const keys = document.getElementById("witness-keys").value.split("\n").filter((k) => k.trim());
      const witnesses = await Promise.all(keys.map(openWitness));
      const required = Number(document.getElementById("witnesses-required").value || 0);
      if (!Number.isInteger(required) || required < 0 || required > witnesses.length) {
        refuse("the number of witnesses required is between 0 and the number of witness keys given");
      }
      const checkpoint = await openCheckpoint(noteText, signer, witnesses, required);
      let proof;
      try { proof = JSON.parse(proofText); } catch (e) { refuse("the proof file is not valid JSON"); }
      const entry = await checkInclusion(proof, checkpoint);
      say(true, form.dataset.ok.replace("{seq}", proof.seq).replace("{origin}", checkpoint.origin).replace("{size}", checkpoint.size));
      shown.textContent = JSON.stringify(entry, null, 2);
      shown.hidden = false;
    } catch (error) {
      say(false, form.dataset.failed.replace("{reason}", error instanceof Refused ? error.message : String(error)));
    }
  });
})();
