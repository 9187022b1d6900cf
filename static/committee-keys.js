/*
 * A committee member's key, made and kept in their own browser (libsodium, vendored).
 *
 * - The X25519 keypair is made here; only the public half is sent to the server.
 * - The private half is stored in localStorage encrypted with the member's passphrase:
 *   Argon2id (crypto_pwhash) derives a key, crypto_secretbox encrypts. The passphrase is never sent:
 *   its inputs have no name attribute, so no form can submit them.
 * - A backup is the same encrypted record as a JSON file; importing it restores the key.
 * - Once unlocked, the private key lives in this page's memory only, and
 *   AyniKeys.openSealed(base64) opens libsodium sealed boxes (crypto_box_seal, as PyNaCl's
 *   SealedBox makes them). Elements with data-sealed="base64" are opened into textContent
 *   (never innerHTML: what recipients wrote is untrusted text). Optional attributes:
 *   data-sealed-padding="iso7816" strips 0x80 0x00... padding (funds/requests/sealing.py pads);
 *   data-sealed-field="contact" reads one field of a sealed JSON object.
 *
 * Queue pages include templates/committees/_unlock.html and mark sealed text with data-sealed.
 */
(function () {
  "use strict";

  var FORMAT = "ayni-committee-key/1";
  var OPSLIMIT = 3; // crypto_pwhash_OPSLIMIT_MODERATE
  var MEMLIMIT = 64 * 1024 * 1024; // 64 MiB: slow to guess offline, fine on a cheap phone
  var unlocked = null;

  function sodiumReady() {
    if (!window.sodium) {
      return Promise.reject(new Error("libsodium did not load"));
    }
    return window.sodium.ready.then(function () { return window.sodium; });
  }

  function slot(memberId, kind) {
    return "ayni.committee-key." + memberId + (kind ? "." + kind : "");
  }

  function b64(s, bytes) { return s.to_base64(bytes, s.base64_variants.ORIGINAL); }
  function unb64(s, text) { return s.from_base64(text, s.base64_variants.ORIGINAL); }

  function readRecord(name) {
    var text = window.localStorage.getItem(name);
    return text ? JSON.parse(text) : null;
  }

  function deriveKey(s, passphrase, kdf) {
    return s.crypto_pwhash(
      s.crypto_secretbox_KEYBYTES, passphrase, unb64(s, kdf.salt), kdf.opslimit, kdf.memlimit,
      s.crypto_pwhash_ALG_ARGON2ID13
    );
  }

  function checkRecord(record, memberId) {
    if (!record || record.format !== FORMAT || !record.kdf || !record.secretKey || !record.publicKey) {
      throw new Error("this is not an Ayni committee key file");
    }
    if (String(record.member) !== String(memberId)) {
      throw new Error("this key file belongs to another member");
    }
    return record;
  }

  // Make a keypair and keep it as "pending" until the server has saved its public half, so a
  // refused upload never overwrites the key this browser already holds.
  function createKey(memberId, passphrase) {
    return sodiumReady().then(function (s) {
      var pair = s.crypto_box_keypair();
      var kdf = {
        algorithm: "argon2id13", opslimit: OPSLIMIT, memlimit: MEMLIMIT,
        salt: b64(s, s.randombytes_buf(s.crypto_pwhash_SALTBYTES))
      };
      var key = deriveKey(s, passphrase, kdf);
      var nonce = s.randombytes_buf(s.crypto_secretbox_NONCEBYTES);
      var record = {
        format: FORMAT, member: memberId, publicKey: b64(s, pair.publicKey), kdf: kdf,
        nonce: b64(s, nonce), secretKey: b64(s, s.crypto_secretbox_easy(pair.privateKey, nonce, key)),
        created: new Date().toISOString()
      };
      s.memzero(key);
      s.memzero(pair.privateKey);
      window.localStorage.setItem(slot(memberId, "pending"), JSON.stringify(record));
      return record.publicKey;
    });
  }

  // Called on pages that know the server's copy of the public key.
  function adoptIfSaved(memberId, serverPublicKey) {
    var pending = readRecord(slot(memberId, "pending"));
    if (!pending || !serverPublicKey || pending.publicKey !== serverPublicKey) { return false; }
    var current = readRecord(slot(memberId));
    if (current && current.publicKey !== pending.publicKey) {
      window.localStorage.setItem(slot(memberId, "previous"), JSON.stringify(current));
    }
    window.localStorage.setItem(slot(memberId), JSON.stringify(pending));
    window.localStorage.removeItem(slot(memberId, "pending"));
    return true;
  }

  function storedKey(memberId) { return readRecord(slot(memberId)); }

  function unlock(memberId, passphrase) {
    return sodiumReady().then(function (s) {
      var record = storedKey(memberId);
      if (!record) { throw new Error("this browser does not hold your key: import your backup first"); }
      var key = deriveKey(s, passphrase, record.kdf);
      var secret;
      try {
        secret = s.crypto_secretbox_open_easy(unb64(s, record.secretKey), unb64(s, record.nonce), key);
      } catch (error) {
        throw new Error("wrong passphrase");
      } finally {
        s.memzero(key);
      }
      var publicKey = s.crypto_scalarmult_base(secret);
      if (b64(s, publicKey) !== record.publicKey) { throw new Error("the stored key is damaged"); }
      unlocked = { publicKey: publicKey, secretKey: secret };
      return record.publicKey;
    });
  }

  function lock() {
    if (unlocked && window.sodium) { window.sodium.memzero(unlocked.secretKey); }
    unlocked = null;
  }

  function openSealedBytes(sealed) {
    return sodiumReady().then(function (s) {
      if (!unlocked) { throw new Error("unlock your key first"); }
      return s.crypto_box_seal_open(unb64(s, sealed), unlocked.publicKey, unlocked.secretKey);
    });
  }

  // ISO/IEC 7816-4: the plaintext, then 0x80, then zeros.
  function unpad(bytes) {
    var end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) { end -= 1; }
    if (end === 0 || bytes[end - 1] !== 0x80) { throw new Error("the sealed message's padding is damaged"); }
    return bytes.subarray(0, end - 1);
  }

  // options: {padding: "iso7816"} strips padding; {field: "name"} reads one field of sealed JSON.
  function openSealed(sealed, options) {
    var opts = options || {};
    return openSealedBytes(sealed).then(function (bytes) {
      var text = window.sodium.to_string(opts.padding === "iso7816" ? unpad(bytes) : bytes);
      if (!opts.field) { return text; }
      var value = JSON.parse(text)[opts.field];
      return value === undefined || value === null ? "" : String(value);
    });
  }

  function revealSealed(root) {
    var nodes = Array.prototype.slice.call((root || document).querySelectorAll("[data-sealed]"));
    return Promise.all(nodes.map(function (node) {
      var options = {
        padding: node.getAttribute("data-sealed-padding"), field: node.getAttribute("data-sealed-field")
      };
      return openSealed(node.getAttribute("data-sealed"), options).then(function (text) {
        node.textContent = text;
        node.classList.add("opened");
      }, function () {
        node.classList.add("unopenable");
      });
    })).then(function () { return nodes.length; });
  }

  function exportKey(memberId) {
    var record = storedKey(memberId);
    if (!record) { throw new Error("this browser does not hold your key"); }
    var text = JSON.stringify(record, null, 2);
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = "ayni-committee-key-" + memberId + ".json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    return text;
  }

  function importKey(memberId, text, serverPublicKey) {
    var record = checkRecord(JSON.parse(text), memberId);
    if (serverPublicKey && record.publicKey !== serverPublicKey) {
      throw new Error("this backup holds a different key from the one the committee has for you");
    }
    window.localStorage.setItem(slot(memberId), JSON.stringify(record));
    return record.publicKey;
  }

  window.AyniKeys = {
    ready: sodiumReady, createKey: createKey, adoptIfSaved: adoptIfSaved, storedKey: storedKey,
    unlock: unlock, lock: lock, isUnlocked: function () { return unlocked !== null; },
    openSealed: openSealed, openSealedBytes: openSealedBytes, revealSealed: revealSealed,
    exportKey: exportKey, importKey: importKey
  };
})();
