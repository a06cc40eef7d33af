"""Accessibility of the built book, checked in Debian chromium with no network.

- axe-core (npm ``axe-core``, pinned in tests/package.json + package-lock.json,
  installed by ``npm ci --prefix tests``) runs on every built page, with its
  dropdowns and code toggles open so what they hold is checked too, so new
  chapters are covered as soon as they are in the table of contents; any
  violation, minor ones included, fails, naming rule, page and element.
  Pages are read as a reader who asks for reduced motion sees them, and once
  nothing moves (``browser_util.settle``): axe read code mid-fade (issue 25).
- Motion: the "Show code" toggles fade their code in, ``settle`` waits the fade
  out even with the CPU slowed 20 times, and with ``prefers-reduced-motion:
  reduce`` the book animates nothing.
- Keyboard: every chart control (Altair params bound to inputs) on every page
  has a label saying what it sets, is reached with Tab, shows a visible focus
  and changes with the arrow keys (Space for a checkbox); one slider is driven
  with the keyboard only and its chart redraws; a page with every kind of
  binding (radio, select, range, checkbox) passes the same checks and axe, for
  the kinds of control the chapters do not use yet.
- Print: every chapter printed to PDF (chromium ``page.pdf``, print media)
  holds every chart's titles and axis text and the data tables behind its
  figures (text extracted with pypdf); print media hides the navigation.

Point the tests at an existing build with ``A11Y_BOOK=/path/to/_build/html``
(quick iterations); otherwise they use the session's ``built_book``.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser_util import SETTLE_JS, settle

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = re.compile(r"^4\.14\.")
BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
PRINT_CHAPTER = "chapters/06-us-visa-bonds/visa-bonds.html"
KEYBOARD_CHAPTER = "chapters/06-us-visa-bonds/visa-bonds.html"
KEYBOARD_FIGURE = "#fig-indexed"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _missing(what: str, how: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing ({how}): the accessibility test cannot run")
    pytest.skip(f"{what} is missing ({how}); in CI this is a failure")


@pytest.fixture(scope="module")
def book(request) -> Path:
    """The built HTML: $A11Y_BOOK if set (an existing build), else the session's build."""
    if os.environ.get("A11Y_BOOK"):
        return Path(os.environ["A11Y_BOOK"]).resolve()
    return request.getfixturevalue("built_book")


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        _missing("Debian chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


REDIRECT = re.compile(r"<meta[^>]+http-equiv=[\"']?refresh", re.IGNORECASE)


def pages(root: Path) -> list[Path]:
    """Every HTML page of the book (search and index included): not the theme's static files, nor
    redirect stubs (index.html sends the browser to intro.html, which is checked itself)."""
    return sorted(p for p in root.rglob("*.html")
                  if not any(part.startswith("_") for part in p.relative_to(root).parts)
                  and not REDIRECT.search(p.read_text(encoding="utf-8", errors="replace")[:2000]))


def _offline(page) -> list[str]:
    """Block every request that would leave the machine; return the list of those tried."""
    tried: list[str] = []

    def handle(route):
        if urlparse(route.request.url).scheme in ("http", "https", "ws", "wss"):
            tried.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", handle)
    return tried


def open_page(browser, path: Path, **context_options):
    """A fresh context with the network blocked, the page loaded, its charts drawn and nothing
    still moving."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    tried = _offline(page)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    n = page.locator(".vega-embed").count()
    if n:
        page.wait_for_function(f"document.querySelectorAll('.vega-embed svg.marks').length >= {n}", timeout=30000)
    settle(page)
    return context, page, tried


OPEN_TOGGLES = "() => document.querySelectorAll('details.sd-dropdown, details.hide').forEach(d => d.open = true)"


def open_dropdowns(page) -> None:
    """Open every dropdown and "Show code" toggle, so that axe also checks what they hold, and wait
    until what they hold has faded in (issue 25: axe read code at partial opacity)."""
    page.evaluate(OPEN_TOGGLES)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # toggle events ran
    settle(page)


def run_axe(page, include: str | None = None, rules: list[str] | None = None) -> list[dict]:
    """axe's violations on the page, or on the elements that match ``include`` (a CSS selector),
    for every rule or only ``rules``."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    version = page.evaluate("axe.version")
    assert AXE_VERSION.match(version), f"axe-core {version} is not the pinned 4.14.x"
    return page.evaluate("""async ([include, rules]) => {
        const r = await axe.run(include ? {include: [include]} : document,
                                {resultTypes: ['violations'], ...(rules ? {runOnly: {type: 'rule', values: rules}} : {})});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '), html: n.html.slice(0, 160)}))}));
    }""", [include, rules])


VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_axe_finds_no_violation(book, browser, capsys, screen):
    """On a laptop and on a phone (the theme moves its header into a side panel there). Any impact
    fails: the last minor ones (pandas' empty corner header) are named by book-a11y.js."""
    if not AXE_JS.exists():
        _missing("axe-core", "npm ci --prefix tests")
    by_impact: collections.Counter = collections.Counter()
    by_rule: collections.Counter = collections.Counter()
    found, tried_network = [], []
    all_pages = pages(book)
    for path in all_pages:
        # as a reader who asks for no motion (the book then fades nothing in), and settled even so
        context, page, tried = open_page(browser, path, viewport=VIEWPORTS[screen], reduced_motion="reduce")
        name = str(path.relative_to(book))
        open_dropdowns(page)
        for violation in run_axe(page):
            for node in violation["nodes"]:
                impact = node["impact"] or violation["impact"]
                by_impact[impact] += 1
                by_rule[(violation["id"], impact)] += 1
                found.append(f"{impact} {violation['id']} ({violation['help']}) on {name} ({screen}): "
                                f"{node['target']}  {node['html']}")
        tried_network += [f"{name}: {url}" for url in tried]
        context.close()
    counts = ", ".join(f"{impact} {by_impact[impact]}" for impact in IMPACTS)
    with capsys.disabled():  # shown in every run (make test too), not only on failure
        print(f"\naxe-core on {len(all_pages)} pages ({screen}), violations in nodes: {counts}")
        for (rule, impact), n in sorted(by_rule.items(), key=lambda kv: (IMPACTS.index(kv[0][1]), kv[0][0])):
            print(f"  {impact:9} {rule:32} {n}")
    assert len(all_pages) >= 10, f"only {len(all_pages)} pages found under {book}"
    assert not tried_network, "pages tried the network:\n" + "\n".join(tried_network)
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(found)


# --- motion (issue 25) ---------------------------------------------------------------------------
MOTION_CHAPTER = "chapters/06-us-visa-bonds/visa-bonds.html"
TOGGLED = "details[open] > summary ~ *"  # what an open toggle or dropdown shows

#: What is moving: the running animations (name or property), and how many of the elements that
#: open toggles show are drawn at partial opacity (their own times their ancestors').
MOTION = """() => {
  const opacity = el => { let o = 1; for (; el; el = el.parentElement) o *= parseFloat(getComputedStyle(el).opacity);
                          return o; };
  const shown = [...document.querySelectorAll('%s')];
  return {running: document.getAnimations().filter(a => a.playState === 'running')
            .map(a => a.animationName || a.transitionProperty),
          partial: shown.filter(el => opacity(el) < 0.999).length, shown: shown.length};
}""" % TOGGLED

#: Every element (and its ::before, ::after) with an animation or a transition that takes time.
MOVERS = """() => {
  const moves = s => s.animationName.split(',').some(n => n.trim() !== 'none')
                     || s.transitionDuration.split(',').some(d => parseFloat(d) > 0);
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after']) {
      const s = getComputedStyle(el, pseudo);
      if (moves(s)) found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}${pseudo || ''}: `
                               + `${s.animationName} ${s.transitionProperty} ${s.transitionDuration}`);
    }
  }
  return found;
}"""


def _throttle(cdp, rate: int) -> None:
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})


def test_toggles_are_measured_faded_in_and_reduced_motion_fades_nothing(book, browser):
    """Issue 25, on one chapter, with the CPU slowed 20 times (Chrome DevTools Protocol). Right after
    the "Show code" toggles open, their code is fading in: animations run and it is drawn at partial
    opacity, and axe's colour-contrast rule, run on the fade held half way, fails on it (what the axe
    test used to read, on whichever page its timing landed). After ``settle``, which has waited for
    them, nothing runs, the code is opaque and the same rule passes. A reader who asks for reduced motion gets none: opening the
    toggles starts no animation, and no element of the page animates or transitions."""
    if not AXE_JS.exists():
        _missing("axe-core", "npm ci --prefix tests")
    context, page, _ = open_page(browser, book / MOTION_CHAPTER)
    cdp = context.new_cdp_session(page)
    _throttle(cdp, 20)
    # measured in the same task as the opening, so the fades have just started on any machine; and
    # held half way (what axe read when its timing landed there), whatever this machine's speed
    fresh = page.evaluate(f"""() => {{ ({OPEN_TOGGLES})(); const fresh = ({MOTION})();
        document.getAnimations().forEach(a => {{ a.pause(); a.currentTime = a.effect.getComputedTiming().duration / 2; }});
        return fresh; }}""")
    assert fresh["shown"] >= 5 and "collapsed-fade-in" in fresh["running"], fresh
    assert fresh["partial"] > 0, f"nothing fades in when a toggle opens: {fresh}"
    _throttle(cdp, 1)
    half_way = run_axe(page, "details.hide", ["color-contrast"])
    assert half_way and half_way[0]["nodes"], "axe finds no contrast problem in code held half way through its fade"
    _throttle(cdp, 20)
    # the fades go on from half way, and settle (browser_util.settle's script) waits them out; in
    # one task, so that they are still running when it starts, however slow this machine
    waited = page.evaluate(f"async () => {{ document.getAnimations().forEach(a => a.play()); return await ({SETTLE_JS})(); }}")
    settled = page.evaluate(MOTION)
    _throttle(cdp, 1)
    assert waited > 0, "settle() waited for nothing, though the fades were running"
    assert not settled["running"] and not settled["partial"], f"after settle(): {settled}"
    after = run_axe(page, "details.hide", ["color-contrast"])
    assert not after, f"settled, axe still finds: {after}"
    context.close()

    context, page, _ = open_page(browser, book / MOTION_CHAPTER, reduced_motion="reduce")
    reduced = page.evaluate(f"() => {{ ({OPEN_TOGGLES})(); return ({MOTION})(); }}")
    movers = page.evaluate(MOVERS)
    context.close()
    assert reduced["shown"] == fresh["shown"]
    assert not reduced["running"] and not reduced["partial"], f"with reduced motion, opening the toggles: {reduced}"
    assert not movers, "with reduced motion, these still move:\n" + "\n".join(movers[:20])


# --- keyboard ------------------------------------------------------------------------------------
CONTROLS = ".vega-embed .vega-bindings input, .vega-embed .vega-bindings select"


def _tag_controls(page) -> list[dict]:
    """Number every chart control (data-a11y-key) and describe it: label text, focus-ring style is read later."""
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)].map((el, i) => {
        el.dataset.a11yKey = String(i);
        const bind = el.closest('.vega-bind');
        const group = el.closest('[role=radiogroup]');
        const nameEl = bind && bind.querySelector('.vega-bind-name');
        return {key: String(i), type: el.type || el.tagName.toLowerCase(), name: el.name,
                label: (nameEl ? nameEl.textContent : '').trim(),
                labelled: !!(el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`))),
                grouped: el.type !== 'radio' || !!(group && group.getAttribute('aria-labelledby')),
                figure: (el.closest('[id^=fig-]') || {}).id || ''};
    })""", CONTROLS)


FOCUS_STATE = """async () => {
    const el = document.activeElement;
    if (!el || el === document.body || !el.dataset.a11yKey) return el === document.body ? 'body' : null;
    await (""" + SETTLE_JS + """)(el);  // a focus ring that transitions in is read once drawn, not half way
    const s = getComputedStyle(el);
    return {key: el.dataset.a11yKey, type: el.type, name: el.name, visible: el.matches(':focus-visible'),
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
            value: el.type === 'checkbox' ? String(el.checked) : el.value};
}"""


def _focus_state(page):
    return page.evaluate(FOCUS_STATE)


#: the keys that change a control, and the keys that undo that change
CHANGE = {"range": [("ArrowRight", "ArrowLeft"), ("ArrowLeft", "ArrowRight")],
          "select-one": [("ArrowDown", "ArrowUp"), ("ArrowUp", "ArrowDown")],
          "radio": [("ArrowRight", "ArrowLeft"), ("ArrowLeft", "ArrowRight")],
          "checkbox": [("Space", "Space")]}


def _changes_with_keys(page, state: dict) -> bool:
    """Does a key press change the focused control (and is it undone)? Radio buttons move within their group."""
    for key, undo in CHANGE.get(state["type"], []):
        page.keyboard.press(key)
        after = _focus_state(page)
        if isinstance(after, dict) and (after["value"], after["key"]) != (state["value"], state["key"]):
            page.keyboard.press(undo)
            return True
    return False


def tab_to(page, key: str | None = None, exercise: bool = False, limit: int = 1500) -> dict[str, dict]:
    """Press Tab from the top of the page; return the chart controls reached (key -> focus state, with
    ``changed``: whether the arrow keys (Space for a checkbox) change it, if ``exercise``), stopping at
    control ``key`` if given, or when focus comes back to the page itself."""
    reached: dict[str, dict] = {}
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for i in range(limit):
        page.keyboard.press("Tab")
        state = _focus_state(page)
        if state == "body" and i > 0:
            break
        if isinstance(state, dict) and state["key"] not in reached:
            reached[state["key"]] = state
            if state["key"] == key:
                break
            if exercise:
                state["changed"] = _changes_with_keys(page, state)
    return reached


def control_problems(page, name: str) -> tuple[int, list[str]]:
    """Check every chart control of a loaded page: label, Tab, focus ring, arrow keys."""
    controls = _tag_controls(page)
    if not controls:
        return 0, []
    problems = []
    reached = tab_to(page, exercise=True)
    by_group = {}
    for state in reached.values():  # a radio group is one Tab stop: any of its buttons counts
        by_group.setdefault(state["name"] if state["type"] == "radio" else state["key"], state)
    for c in controls:
        where = f"{name} {c['figure'] or ''} control {c['name']!r} ({c['type']})"
        if len(c["label"]) < 3 or re.fullmatch(r"param_?\d+:?", c["label"]):
            problems.append(f"{where}: no label saying what it sets (binding name={c['label']!r})")
        if not c["labelled"] or not c["grouped"]:
            problems.append(f"{where}: its label is not tied to the control")
        state = by_group.get(c["name"] if c["type"] == "radio" else c["key"])
        if state is None:
            problems.append(f"{where}: not reached with Tab")
            continue
        if not (state["visible"] and state["outline"]):
            problems.append(f"{where}: no visible focus ring when reached with Tab")
        if not state.get("changed"):
            problems.append(f"{where}: the arrow keys (Space for a checkbox) do not change it")
    return len(controls), problems


def test_every_chart_control_is_labelled_reached_with_tab_and_shows_focus(book, browser):
    """Every chart control of every page: a label that says what it sets, reached with Tab, a visible
    focus ring, changed with the arrow keys (Space for a checkbox)."""
    problems, seen = [], 0
    for path in pages(book):
        context, page, _ = open_page(browser, path)
        n, found = control_problems(page, str(path.relative_to(book)))
        seen, problems = seen + n, problems + found
        context.close()
    print(f"\n{seen} chart controls checked for label, Tab, focus ring and arrow keys")
    assert seen >= 4, f"only {seen} chart controls found: are the interactive charts built?"
    assert not problems, "\n".join(problems)


#: One chart with every kind of binding vega-embed renders, for controls the chapters may add later.
ALL_BINDINGS = {
    "data": {"values": [{"x": "a", "y": 1}, {"x": "b", "y": 2}, {"x": "c", "y": 3}]},
    "params": [
        {"name": "pick", "value": "a", "bind": {"input": "radio", "options": ["a", "b", "c"], "name": "Highlighted bar: "}},
        {"name": "first", "value": "a", "bind": {"input": "select", "options": ["a", "b", "c"], "name": "Bar drawn darker: "}},
        {"name": "top", "value": 3, "bind": {"input": "range", "min": 1, "max": 5, "step": 1, "name": "Axis maximum: "}},
        {"name": "show", "value": True, "bind": {"input": "checkbox", "name": "Show the bars "}},
    ],
    "mark": "bar",
    "encoding": {
        "x": {"field": "x", "type": "nominal", "title": "Letter"},
        "y": {"field": "y", "type": "quantitative", "title": "Value", "scale": {"domainMax": {"expr": "top"}}},
        "color": {"condition": {"test": "datum.x === pick || datum.x === first", "value": "#8b0000"}, "value": "#555"},
        "opacity": {"condition": {"test": "show", "value": 1}, "value": 0.3},
    },
    "description": "Three bars, a to c, of values 1 to 3.",
}


def test_every_kind_of_chart_control_is_accessible(book, browser, tmp_path):
    """A page with the book's scripts and a chart bound to a radio group, a select, a slider and a
    checkbox (the kinds Altair offers): no critical or serious axe violation, and every control is
    labelled, reached with Tab, shows focus and changes with the keyboard."""
    if not AXE_JS.exists():
        _missing("axe-core", "npm ci --prefix tests")
    import json

    from coursekit.display import EMBED_OPTIONS

    static = book / "_static"
    page_path = tmp_path / "controls.html"
    page_path.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Chart controls</title>
<script src="{(static / 'vega-offline.js').as_uri()}"></script>
<link rel="stylesheet" href="{(static / 'book-a11y.css').as_uri()}">
<script defer src="{(static / 'book-a11y.js').as_uri()}"></script></head>
<body><main><h1>Chart controls</h1><div id="fig-controls"><div id="chart"></div></div>
<script>vegaEmbed('#chart', {json.dumps(ALL_BINDINGS)}, {json.dumps({"mode": "vega-lite", **EMBED_OPTIONS})});</script>
</main></body></html>""", encoding="utf-8")
    context, page, tried = open_page(browser, page_path)
    page.wait_for_function("document.querySelectorAll('#chart svg.marks').length == 1", timeout=30000)
    blocking = [f"{v['impact']} {v['id']}: {n['target']} {n['html']}" for v in run_axe(page) for n in v["nodes"]
                if (n["impact"] or v["impact"]) in BLOCKING]
    n, problems = control_problems(page, "controls.html")
    context.close()
    assert not tried, tried
    assert n == 6, f"expected 3 radio buttons, a select, a slider and a checkbox, found {n} controls"
    assert not blocking, "\n".join(blocking)
    assert not problems, "\n".join(problems)


def test_a_slider_changes_its_chart_with_the_keyboard_only(book, browser):
    context, page, _ = open_page(browser, book / KEYBOARD_CHAPTER)
    controls = [c for c in _tag_controls(page) if c["figure"] == KEYBOARD_FIGURE.lstrip("#") and c["type"] == "range"]
    assert controls, f"no slider in {KEYBOARD_FIGURE} of {KEYBOARD_CHAPTER}"
    key = controls[0]["key"]
    reached = tab_to(page, key)
    assert key in reached, "the slider was not reached with Tab"
    marks = f"document.querySelector('{KEYBOARD_FIGURE} svg.marks').innerHTML"
    before_chart, before_value = page.evaluate(marks), reached[key]["value"]
    page.keyboard.press("ArrowRight")
    if _focus_state(page)["value"] == before_value:  # the slider was at its maximum
        page.keyboard.press("ArrowLeft")
    after = _focus_state(page)
    assert after["key"] == key, "the arrow key moved the focus away from the slider"
    assert after["value"] != before_value, "the arrow keys did not change the slider"
    page.wait_for_function(f"(before) => {marks} !== before", arg=before_chart, timeout=10000)
    context.close()


# --- print ---------------------------------------------------------------------------------------
PRINT_DOM = """() => {
    // checkVisibility: false inside a closed <details> (content-visibility) or a display:none ancestor
    const shown = el => { const r = el.getBoundingClientRect();
                          return el.checkVisibility({visibilityProperty: true}) && r.width > 0 && r.height > 0; };
    // (labels Vega hides for overlap have opacity 0 and are not printed)
    const texts = (svg, sel) => [...svg.querySelectorAll(sel)]
      .filter(t => parseFloat(getComputedStyle(t).opacity) > 0 && t.getAttribute('opacity') !== '0')
      .map(t => t.textContent).filter(t => t.trim());
    const chrome = ['.bd-header', '.bd-header-article', '.bd-sidebar-primary', '.bd-sidebar-secondary',
                    '.prev-next-area', '.bd-footer', '.bd-footer-article'];
    return {
      chrome: chrome.filter(s => [...document.querySelectorAll(s)].some(shown)),
      charts: [...document.querySelectorAll('.vega-embed')].map(e => {
        const svg = e.querySelector('svg.marks');
        return {id: (e.closest('[id^=fig-]') || e).id, drawn: !!svg && shown(svg),
                texts: !svg ? [] : texts(svg, '.role-title-text text, .role-axis-title text, .role-legend-title text')
                                    .concat(texts(svg, '.role-axis-label text').slice(0, 3))};
      }),
      tables: [...document.querySelectorAll('details.sd-dropdown table')].map(t => ({
        shown: shown(t),
        text: t.caption ? t.caption.textContent : [...t.querySelectorAll('th')].map(th => th.textContent).join(' ')})),
    };
}"""


def _squash(text: str) -> str:
    """Text compared between the page and the PDF: ligatures unfolded, no whitespace, lower case."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def print_problems(browser, path: Path, pdf: Path, name: str) -> tuple[int, list[str]]:
    """Print one page: in print media no navigation, every chart drawn, every data dropdown open;
    in the PDF chromium prints, the text of every chart's titles and axis text and of every data
    table's caption (extracted with pypdf). Returns (charts, problems)."""
    from pypdf import PdfReader

    context, page, _ = open_page(browser, path)
    page.emulate_media(media="print")
    dom = page.evaluate(PRINT_DOM)
    problems = [f"{name}: navigation shown in print: {s}" for s in dom["chrome"]]
    problems += [f"{name}: chart {c['id']} not drawn in print" for c in dom["charts"] if not c["drawn"]]
    problems += [f"{name}: data table hidden in print: {t['text']!r}" for t in dom["tables"] if not t["shown"]]
    page.pdf(path=str(pdf), format="A4", print_background=True)
    context.close()
    printed = _squash("\n".join(p.extract_text() for p in PdfReader(pdf).pages))
    problems += [f"{name}: chart {c['id']}: {text!r} not in the PDF"
                 for c in dom["charts"] for text in c["texts"] if _squash(text) not in printed]
    problems += [f"{name}: table {t['text']!r} not in the PDF" for t in dom["tables"] if _squash(t["text"]) not in printed]
    if _squash("Assignments (student versions)") in printed:
        problems.append(f"{name}: the sidebar navigation was printed")
    if dom["charts"] and not any(c["texts"] for c in dom["charts"]):
        problems.append(f"{name}: no chart text to look for in the PDF")
    if dom["charts"] and not dom["tables"]:
        problems.append(f"{name}: charts but no data table behind any figure")
    return len(dom["charts"]), problems


def test_printed_chapters_have_their_charts_and_tables_and_no_navigation(book, browser, tmp_path):
    """Every chapter printed to PDF (print media, what the download menu's PDF uses)."""
    chapters = [p for p in pages(book) if p.relative_to(book).parts[0] == "chapters"]
    assert book / PRINT_CHAPTER in chapters, f"{PRINT_CHAPTER} not built"
    charts, problems = 0, []
    for i, path in enumerate(chapters):
        n, found = print_problems(browser, path, tmp_path / f"chapter-{i}.pdf", str(path.relative_to(book)))
        charts, problems = charts + n, problems + found
    assert charts >= 3 * len(chapters), f"only {charts} charts in {len(chapters)} chapters"
    assert not problems, "\n".join(problems)
