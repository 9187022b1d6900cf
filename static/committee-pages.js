/*
 * Wires the committee pages to AyniKeys (committee-keys.js): the "My key" page (make, back up,
 * import) and the unlock form that queue pages include (templates/committees/_unlock.html).
 */
(function () {
  "use strict";

  function say(node, text, isError) {
    node.textContent = text;
    node.hidden = false;
    node.classList.toggle("error", Boolean(isError));
  }

  function show(id) {
    var node = document.getElementById(id);
    if (node) { node.hidden = false; }
  }

  function wireKeyPage(section) {
    var memberId = section.getAttribute("data-member");
    var serverKey = section.getAttribute("data-public-key");
    var status = document.getElementById("key-status");
    AyniKeys.adoptIfSaved(memberId, serverKey);
    var stored = AyniKeys.storedKey(memberId);
    if (!serverKey) {
      say(status, "You have no key yet. Choose a passphrase you will remember: it cannot be reset.");
      show("make-key-form");
    } else if (stored && stored.publicKey === serverKey) {
      say(status, "This browser holds your key. Keep a backup somewhere safe.");
      show("key-backup");
      show("replace-key");
    } else {
      say(status, "This browser does not hold your key. Import your backup, or make a new key.", true);
      show("import-key-form");
      show("make-key-form");
    }

    var makeForm = document.getElementById("make-key-form");
    makeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var passphrase = document.getElementById("key-passphrase").value;
      var repeat = document.getElementById("key-passphrase-repeat").value;
      if (passphrase.length < 10) { say(status, "The passphrase needs at least 10 characters.", true); return; }
      if (passphrase !== repeat) { say(status, "The two passphrases differ.", true); return; }
      makeForm.querySelector("button").disabled = true;
      say(status, "Making your key…");
      AyniKeys.createKey(memberId, passphrase).then(function (publicKey) {
        document.getElementById("public_key").value = publicKey;
        makeForm.submit();
      }, function (error) {
        makeForm.querySelector("button").disabled = false;
        say(status, "Your key could not be made: " + error.message, true);
      });
    });

    var replace = document.getElementById("replace-key");
    if (replace) {
      replace.addEventListener("click", function () { replace.hidden = true; show("make-key-form"); });
    }

    var exportButton = document.getElementById("export-key");
    exportButton.addEventListener("click", function () { AyniKeys.exportKey(memberId); });

    var importForm = document.getElementById("import-key-form");
    importForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = document.getElementById("import-key-file").files[0];
      if (!file) { say(status, "Choose your backup file first.", true); return; }
      file.text().then(function (text) {
        AyniKeys.importKey(memberId, text, serverKey);
        window.location.reload();
      }).catch(function (error) { say(status, error.message, true); });
    });
  }

  function wireUnlock(form) {
    var memberId = form.getAttribute("data-member");
    var serverKey = form.getAttribute("data-public-key");
    var status = document.getElementById("unlock-status");
    AyniKeys.adoptIfSaved(memberId, serverKey);
    var stored = AyniKeys.storedKey(memberId);
    form.hidden = false;
    if (!stored) {
      say(status, "This browser does not hold your key: import your backup on the “My key” page.", true);
    } else if (stored.publicKey !== serverKey) {
      say(status, "This browser holds a different key from the one the committee has for you.", true);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = document.getElementById("unlock-passphrase");
      say(status, "Unlocking…");
      AyniKeys.unlock(memberId, field.value).then(function () {
        field.value = "";
        return AyniKeys.revealSealed(document);
      }).then(function (count) {
        form.classList.add("unlocked");
        say(status, "Unlocked. " + count + " sealed message(s) opened on this page.");
      }, function (error) {
        say(status, error.message, true);
      });
    });
  }

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("committee-key");
    if (section) { wireKeyPage(section); }
    var unlockForm = document.getElementById("unlock-key-form");
    if (unlockForm) { wireUnlock(unlockForm); }
  });
})();
