/* A page that shows an error summary moves the focus to it when it loads, so that a screen
   reader reads the problems first and a keyboard user starts from them (GOV.UK's pattern).
   The summary carries `autofocus` and tabindex="-1"; this covers browsers that do not honour
   `autofocus` outside form controls. Nothing on the page depends on it. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  var focused = document.activeElement;
  if (focused && focused !== document.body && focused !== document.documentElement) {
    return; // the browser (autofocus) or the visitor has put the focus somewhere already
  }
  if (!summary.hasAttribute("tabindex")) {
    summary.setAttribute("tabindex", "-1");
  }
  summary.focus();
})();
