// Downloads that take a while (a PDF is rendered on demand) show progress: the link is marked busy until
// the server's response arrives, which it signals with a cookie carrying the token sent with the request.
(function () {
  "use strict";
  var COOKIE = "harmonie_download=";
  var TIMEOUT_MS = 60000;

  function hasToken(token) {
    return document.cookie.split("; ").indexOf(COOKIE + token) !== -1;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-download]") : null;
    if (!link || link.getAttribute("aria-busy") === "true") {
      if (link) { event.preventDefault(); }
      return;
    }
    event.preventDefault();
    var token = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("download_token", token);
    var progress = link.nextElementSibling;
    if (progress && !progress.classList.contains("download-progress")) { progress = null; }
    link.setAttribute("aria-busy", "true");
    if (progress) { progress.hidden = false; }
    document.body.classList.add("downloading");
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (hasToken(token) || Date.now() - started > TIMEOUT_MS) {
        window.clearInterval(timer);
        link.removeAttribute("aria-busy");
        if (progress) { progress.hidden = true; }
        document.body.classList.remove("downloading");
      }
    }, 200);
    window.location.assign(url.toString());
  });
})();
