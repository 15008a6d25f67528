// Postroom's own script: CSRF token on htmx requests, and "working…" feedback on long forms. No inline script
// anywhere (the Content-Security-Policy forbids it).
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    if (token && header) {
      event.detail.headers[header.content] = token.content;
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = form.querySelector("button[data-working]");
    if (button) {
      button.disabled = true;
      button.textContent = button.getAttribute("data-working");
    }
  });
})();
