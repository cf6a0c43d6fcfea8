// Follows a device command to its final state on its progress page: asks for the state once a
// second (less often while the server is busy), for at most ten minutes, and updates the page
// (and its data-state attribute).
"use strict";

(function () {
  var FINAL = ["succeeded", "failed", "rolled_back", "expired"];
  var WORDS = {
    queued: "Waiting for the site to take the command",
    sent: "Sent to the site",
    running: "In progress",
    succeeded: "Done",
    failed: "Failed",
    rolled_back: "Undone",
    expired: "Timed out"
  };
  var POLL_MS = 1000;
  var GIVE_UP_AFTER_MS = 10 * 60 * 1000;

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("command");
    if (!box || FINAL.indexOf(box.dataset.state) >= 0) { return; }
    var words = document.getElementById("command-words");
    var code = document.getElementById("command-state");
    var detail = document.getElementById("command-detail");
    var progress = document.getElementById("command-progress");
    var stopAt = Date.now() + GIVE_UP_AFTER_MS;

    function show(command) {
      box.dataset.state = command.state;
      code.textContent = command.state;
      words.textContent = WORDS[command.state] || command.state;
      detail.textContent = command.detail || "";
      if (FINAL.indexOf(command.state) >= 0) {
        progress.max = 1;
        progress.value = 1;
        return true;
      }
      return false;
    }

    function poll() {
      if (Date.now() > stopAt) {
        words.textContent = "Still not finished; refresh the page later to see the result.";
        return;
      }
      fetch(box.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        })
        .then(function (reply) {
          var body = reply.body;
          if (body && body.success && body.data) {
            if (!show(body.data)) { setTimeout(poll, POLL_MS); }
          } else if (reply.status === 429 || reply.status >= 500) {
            // Busy: ask again a little later.
            setTimeout(poll, POLL_MS * 5);
          } else {
            words.textContent = (body && body.error) || "Unable to read the command's state.";
          }
        })
        .catch(function () { setTimeout(poll, POLL_MS * 3); });
    }
    setTimeout(poll, POLL_MS);
  });
})();
