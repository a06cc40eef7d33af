/* book_a11y (issue 16): accessibility fixes the book ships on every page.
 * - Each chart's actions menu: vega-embed writes a <summary> holding only an
 *   icon; it gets a name ("Chart actions") and the icon is marked decorative.
 * - Radio bindings: the group of radio buttons gets the binding's label.
 * - A pandas table's empty corner header (above the row labels) gets a name a screen reader
 *   can say ("Row label", visually hidden), so no header cell is empty.
 * - A wide table from a notebook output (behind a figure, or in the text) scrolls sideways:
 *   when it does, its box becomes a focusable group named after the table's caption.
 * - Charts fit the page column (book-a11y.css): each chart's SVG gets its drawn width as
 *   --book-chart-w, so the CSS can scale it down to fit, to two thirds at most; a chart that
 *   still does not fit scrolls sideways in its box, which then becomes focusable (it is already
 *   named: vega-embed gives it the chart's alt text).
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
    root.querySelectorAll("table.dataframe thead th:empty").forEach(function (th) {
      var name = document.createElement("span");
      name.className = "book-a11y-hidden";
      name.textContent = "Row label";
      th.appendChild(name);
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

  // A wide output table scrolls sideways (book-a11y.css): a keyboard user must be able
  // to reach and scroll it, so a scrolling one becomes a named, focusable group.
  function scrollable() {
    document.querySelectorAll(".bd-article .output.text_html").forEach(function (box) {
      var table = box.querySelector("table");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("data-book-a11y-scroll", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");  // not a landmark: several may share a caption
        box.setAttribute("aria-label", (table && table.caption && table.caption.textContent.trim()) || "Data table");
      } else if (box.hasAttribute("data-book-a11y-scroll")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-book-a11y-scroll");
      }
    });
  }

  // Charts fit the page column (book-a11y.css scales them; what still overflows scrolls).
  function fitCharts() {
    document.querySelectorAll(".vega-embed svg.marks").forEach(function (svg) {
      var width = parseFloat(svg.getAttribute("width"));
      if (width > 0 && svg.style.getPropertyValue("--book-chart-w") !== width + "px") {
        svg.style.setProperty("--book-chart-w", width + "px");
      }
    });
    document.querySelectorAll(".vega-embed > .chart-wrapper").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("data-book-a11y-scroll")) {
          box.setAttribute("data-book-a11y-scroll", "");
          box.setAttribute("tabindex", "0");
          if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", "Chart (scrolls sideways)");
        }
      } else if (box.hasAttribute("data-book-a11y-scroll")) {
        box.removeAttribute("data-book-a11y-scroll");
        box.removeAttribute("tabindex");
      }
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
    scrollable();
    document.addEventListener("toggle", scrollable, true);  // toggle does not bubble: capture it
    window.addEventListener("resize", scrollable);
    fitCharts();
    window.addEventListener("resize", fitCharts);
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (records[i].addedNodes.length || records[i].type === "attributes") {
          label(document);
          fitCharts();
          return;
        }
      }
    }).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["width"]});
  }

  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", closeAfterPrint);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
