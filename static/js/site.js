// Pingshen's own script. fetch() calls to the JSON API carry the CSRF token from its cookie,
// because the API shares the session cookie with the pages.
(function () {
  "use strict";
  function cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  }
  window.pingshen = {
    api: function (url, options) {
      const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
      opts.headers = Object.assign({ "x-csrftoken": cookie("csrftoken"), "accept": "application/json" }, opts.headers);
      return fetch(url, opts);
    },
  };
  // Confirm dangerous actions declared with data-confirm="…".
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { event.preventDefault(); }
  });
})();
// Narrow screens: the navigation folds behind a 菜单 button (the CSS shows it only with html.js,
// so without script the links stay visible).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    const button = document.querySelector(".nav-toggle");
    const nav = document.getElementById("mainnav");
    if (!button || !nav) { return; }
    button.addEventListener("click", function () {
      const open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
})();
