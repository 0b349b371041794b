/*
 * Jobtab embed script. An institution pastes one tag where the tab should appear:
 *
 *   <script src="https://JOBTAB-HOST/widget/embed.js" data-tenant="SLUG" async></script>
 *
 * Optional attributes: data-tab ("jobs", "trainings" or "post"), data-title (the iframe's
 * accessible name), data-target (a CSS selector of the element to fill), data-param (the
 * host URL parameter that keeps deep links, "jobtab" by default).
 *
 * It inserts the iframe, grows it to its content from the widget's messages (checking their
 * origin and source), and writes the widget's current page into the host URL so that a
 * shared link reopens the same offer.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;

  var widgetOrigin = new URL(script.src).origin;
  var tenant = script.getAttribute("data-tenant") || "";
  if (!/^[a-z0-9-]+$/.test(tenant)) {
    if (window.console) console.error("Jobtab: data-tenant is missing or invalid on the embed script.");
    return;
  }
  var tabs = ["jobs", "trainings", "post"];
  var tab = tabs.indexOf(script.getAttribute("data-tab")) >= 0 ? script.getAttribute("data-tab") : "jobs";
  var param = script.getAttribute("data-param") || "jobtab";
  var prefix = "/t/" + tenant + "/";
  var homePath = prefix + tab;

  // Only a path of this tenant's widget, never another origin or a protocol-relative URL,
  // and still one once the browser has resolved its dot segments ("/t/x/../../y", "%2e%2e").
  // Returns the path as the browser will request it, or null.
  function widgetPath(path) {
    if (typeof path !== "string" || path.indexOf(prefix) !== 0 || /\/\/|\\|\s/.test(path) || path.length >= 2000) {
      return null;
    }
    var resolved = new URL(path, widgetOrigin);
    if (resolved.origin !== widgetOrigin || resolved.pathname.indexOf(prefix) !== 0) return null;
    return resolved.pathname + resolved.search;
  }

  var startPath = widgetPath(new URLSearchParams(window.location.search).get(param)) || homePath;

  var iframe = document.createElement("iframe");
  iframe.src = widgetOrigin + startPath;
  iframe.title = script.getAttribute("data-title") || "Offres d'emploi et de formation";
  iframe.className = "jobtab-frame";
  iframe.style.display = "block";
  iframe.style.width = "100%";
  iframe.style.minHeight = "480px";
  iframe.style.border = "0";

  var target = script.getAttribute("data-target") && document.querySelector(script.getAttribute("data-target"));
  if (target) target.appendChild(iframe);
  else script.parentNode.insertBefore(iframe, script.nextSibling);

  // Each page of the widget waits for our hello before it reports to us.
  iframe.addEventListener("load", function () {
    iframe.contentWindow.postMessage({ type: "jobtab:hello" }, widgetOrigin);
  });

  var currentPath = null;
  window.addEventListener("message", function (event) {
    if (event.origin !== widgetOrigin || event.source !== iframe.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "jobtab:page") return;

    if (typeof data.height === "number" && data.height > 0 && data.height < 100000) {
      iframe.style.height = Math.ceil(data.height) + "px";
      iframe.style.minHeight = "0";
    }
    var path = widgetPath(data.path);
    if (!path) return;

    var url = new URL(window.location.href);
    if (path === homePath) url.searchParams.delete(param);
    else url.searchParams.set(param, path);
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url.href);

    // A new page inside the widget: bring its top into view, as a full page load would.
    if (currentPath !== null && currentPath !== path && iframe.getBoundingClientRect().top < 0) {
      iframe.scrollIntoView();
    }
    currentPath = path;
  });
})();
