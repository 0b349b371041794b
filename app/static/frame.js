// Inside the widget iframe: tell the host page our height and our path, and only to a host
// origin the tenant allows. The host speaks first ("jobtab:hello"); we answer to its origin.
(function () {
  "use strict";
  if (window.parent === window) return; // full page: nothing to talk to

  var meta = document.querySelector('meta[name="jobtab-allowed-origins"]');
  var allowedOrigins = meta ? meta.content.split(/\s+/).filter(Boolean) : [];
  var hostOrigin = null;

  function contentHeight() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function report() {
    if (!hostOrigin) return;
    window.parent.postMessage(
      {
        type: "jobtab:page",
        height: contentHeight(),
        path: location.pathname + location.search,
        title: document.title
      },
      hostOrigin
    );
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) return;
    if (allowedOrigins.indexOf(event.origin) === -1) return;
    if (!event.data || event.data.type !== "jobtab:hello") return;
    hostOrigin = event.origin;
    report();
  });

  if ("ResizeObserver" in window) {
    new ResizeObserver(report).observe(document.documentElement);
  } else {
    window.addEventListener("resize", report);
  }
  window.addEventListener("load", report);
})();
