/* book_a11y (issue 16): accessibility fixes the book ships on every page.
 * - Each chart's actions menu: vega-embed writes a <summary> holding only an
 *   icon; it gets a name ("Chart actions") and the icon is marked decorative.
 * - Radio bindings: the group of radio buttons gets the binding's label.
 * - Print: every dropdown (the data behind each figure) is opened while the
 *   page prints and closed again afterwards (book-a11y.css also opens them in
 *   print media, for printers that do not fire beforeprint).
 * Charts draw after the page loads, so a MutationObserver labels them as they
 * appear. */
(function () {
  "use strict";
  var ACTIONS = "Chart actions (save as image, view source)";
  var uid = 0;

  function label(root) {
    root.querySelectorAll(".vega-embed > details > summary:not([aria-label])").forEach(function (summary) {
      summary.setAttribute("aria-label", ACTIONS);
      summary.querySelectorAll("svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
      });
    });
    root.querySelectorAll(".vega-bind").forEach(function (bind) {
      var group = bind.querySelector(".vega-bind-radio");
      var name = bind.querySelector(".vega-bind-name");
      if (!group || !name || group.hasAttribute("role")) return;
      if (!name.id) name.id = "book-a11y-bind-" + (++uid);
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-labelledby", name.id);
    });
  }

  var opened = [];
  function openForPrint() {
    document.querySelectorAll("details.sd-dropdown:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      opened.push(d);
    });
  }
  function closeAfterPrint() {
    opened.forEach(function (d) { d.removeAttribute("open"); });
    opened = [];
  }

  function start() {
    label(document);
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (records[i].addedNodes.length) { label(document); return; }
      }
    }).observe(document.body, {childList: true, subtree: true});
  }

  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", closeAfterPrint);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
