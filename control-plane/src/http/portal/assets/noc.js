// NOC console: every table body with data-refresh-url reloads its rows from the server every
// three seconds while the page is open, so an agent that drops turns red and a command's state
// moves without a reload. Each successful refresh increments the body's data-refreshes.
"use strict";

(function () {
  var REFRESH_MS = 3000;

  function refresh(body) {
    fetch(body.dataset.refreshUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign("/noc/login");
          return null;
        }
        if (!response.ok) { throw new Error("refresh failed: " + response.status); }
        return response.text();
      })
      .then(function (rows) {
        if (rows === null) { return; }
        body.innerHTML = rows;
        body.dataset.refreshes = String(Number(body.dataset.refreshes || "0") + 1);
        setTimeout(function () { refresh(body); }, REFRESH_MS);
      })
      .catch(function () { setTimeout(function () { refresh(body); }, REFRESH_MS); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bodies = document.querySelectorAll("tbody[data-refresh-url]");
    for (var i = 0; i < bodies.length; i++) {
      (function (body) { setTimeout(function () { refresh(body); }, REFRESH_MS); })(bodies[i]);
    }
  });
})();
