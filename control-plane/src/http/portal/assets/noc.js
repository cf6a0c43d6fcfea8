// NOC console: every element with data-refresh-url reloads its content from the server every
// few seconds while the page is open (data-refresh-ms, default three seconds), so an agent that
// drops turns red, a subscriber's live rate moves and a command's state advances without a
// reload. Each successful refresh increments the element's data-refreshes; once the new
// content holds an element marked data-final (a command that ended), refreshing stops.
"use strict";

(function () {
  var REFRESH_MS = 3000;

  function pace(element) {
    var ms = Number(element.dataset.refreshMs || REFRESH_MS);
    return ms >= 1000 ? ms : REFRESH_MS;
  }

  function refresh(element) {
    fetch(element.dataset.refreshUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign("/noc/login");
          return null;
        }
        if (!response.ok) { throw new Error("refresh failed: " + response.status); }
        return response.text();
      })
      .then(function (content) {
        if (content === null) { return; }
        element.innerHTML = content;
        element.dataset.refreshes = String(Number(element.dataset.refreshes || "0") + 1);
        if (element.querySelector("[data-final]")) { return; }
        setTimeout(function () { refresh(element); }, pace(element));
      })
      .catch(function () { setTimeout(function () { refresh(element); }, pace(element)); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var elements = document.querySelectorAll("[data-refresh-url]");
    for (var i = 0; i < elements.length; i++) {
      (function (element) {
        if (element.querySelector("[data-final]")) { return; }
        setTimeout(function () { refresh(element); }, pace(element));
      })(elements[i]);
    }
  });
})();
