// GOV.UK error summary: move focus to it when the page comes back with errors, so a screen
// reader announces it and a keyboard user starts from the list of links to each field.
(function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
})();
