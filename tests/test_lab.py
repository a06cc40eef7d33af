"""The course in a real JupyterLab, with no network: a chapter opens as a notebook,
unmodified, and saves byte for byte as it was; Run All draws every chart and the prose
shows its numbers, citations and figure captions (not MyST markup); an assignment's
charts draw and its widget explorer redraws when a control changes; the student's Lab
has no instructor tools and the instructor's has them; no request leaves the machine.

JupyterLab servers are started on 127.0.0.1 over a copy of the chapters (with the
book's _config.yml and .bib files, where citations come from) and of one assignment
(JupyterLab saves what it opens; the repository is not touched), configured as
`make lab` and `make lab-instructor` configure them (coursekit.labsettings), and driven
with Debian chromium. The assignment is the source version: the student version
stops at its first unanswered part by design, and the source shows what a student
sees once every part is done. Every wait is for a condition, never a fixed time.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import BIN, REPO, env_with_venv
from coursekit import data, labsettings
from test_browser import browser  # noqa: F401  (the course's chromium, offline)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TOKEN = "coursekit-lab-test"
CHAPTER = "chapters/06-us-visa-bonds/visa-bonds.md"
ROOTS: dict[str, Path] = {}  # base URL -> the folder that server serves
ASSIGNMENT = "ch06_visa_bonds"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root: Path, role: str):
    """JupyterLab on 127.0.0.1 over ``root`` in a role's configuration (as make lab / make lab-instructor);
    yields its base URL."""
    port = free_port()
    env = env_with_venv() | {"JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"), "JUPYTER_RUNTIME_DIR": str(root / ".rt"),
                             "JUPYTER_CONFIG_PATH": str(labsettings.write_role(role, root / f".{role}"))}
    log = (root / "lab.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--ServerApp.disable_check_xsrf=True"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(root / 'lab.log').read_text()[-3000:]}")
                time.sleep(1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The student's JupyterLab over a copy of chapters/ (with the book's config and .bib files) and one assignment."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "chapters", root / "chapters", ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    for name in ["_config.yml", *[p.name for p in REPO.glob("references*.bib")]]:
        shutil.copy(REPO / name, root / name)
    shutil.copy(REPO / "exercises" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / f"{ASSIGNMENT}.ipynb")
    for base in start_lab(root, "student"):
        ROOTS[base] = root
        yield base


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """The instructor's JupyterLab (an empty folder is enough to see its tools)."""
    yield from start_lab(tmp_path_factory.mktemp("lab-instructor"), "instructor")


def open_in_lab(browser, base: str, path: str):
    """A page with JupyterLab open on ``path``; requests off the machine are blocked and recorded."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    remote: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if urlparse(r.request.url).scheme in ("http", "https", "ws", "wss") and host != "127.0.0.1":
            remote.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    # ?reset: a clean workspace, or JupyterLab reopens the previous test's document beside this one
    page.goto(f"{base}/lab/tree/{path}?reset&token={TOKEN}")
    find = ("[...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === %r"
            " && w.sessionContext)" % path)
    page.wait_for_function(f"window.jupyterapp && !!({find})", timeout=120_000)
    page.evaluate(f"window.__panel = {find}")  # the document we opened, found by its path
    return context, page, remote


def run_all(page, timeout_s: int = 300) -> None:
    """Run every cell of the open notebook and wait until the kernel is idle."""
    page.wait_for_function("window.__panel.sessionContext.session?.kernel?.status === 'idle'", timeout=120_000)
    page.evaluate("window.jupyterapp.shell.activateById(window.__panel.id);"
                  "window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "(() => { const w = window.__panel;"
        " const cells = w.content.widgets.filter(c => c.model.type === 'code');"
        " return w.sessionContext.session?.kernel?.status === 'idle'"
        " && cells.every(c => c.model.executionCount !== null); })()", timeout=timeout_s * 1000, polling=1000)


def drawn_charts(page) -> tuple[int, int]:
    """(charts in outputs, charts that drew an SVG or canvas), once every chart has drawn or 30 s have passed."""
    try:
        page.wait_for_function(
            "(() => { const charts = [...document.querySelectorAll('.jp-OutputArea-output .coursekit-chart')];"
            " return charts.length > 0 && charts.every(c => c.querySelector('svg.marks, canvas')); })()", timeout=30_000)
    except PlaywrightTimeout:
        pass  # measured and reported below
    return page.evaluate(
        "(() => { const charts = [...document.querySelectorAll('.jp-OutputArea-output .coursekit-chart')];"
        " return [charts.length, charts.filter(c => c.querySelector('svg.marks, canvas')).length]; })()")


def test_chapter_opens_as_a_notebook_and_draws_every_chart(lab, browser):
    context, page, remote = open_in_lab(browser, lab, CHAPTER)
    # double-click opens a file with its default viewer, which the course sets for .md files
    assert page.evaluate("!!window.__panel.content.widgets"), f"{CHAPTER} did not open as a notebook"
    assert page.locator(".jp-Notebook").count() >= 1
    run_all(page)
    n, drawn = drawn_charts(page)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
    assert n >= 6 and drawn == n, f"{drawn} of {n} charts drew"
    assert errors == 0, "a cell wrote an error"
    assert "Error loading script" not in page.inner_text(".jp-Notebook")
    assert_prose_renders(page)
    assert not remote, f"requests left the machine: {remote[:5]}"
    context.close()


# what ch06's prose says once its numbers are in (computed here from the data, as the chapter glues it)
BOND_MAX = f"{int(data.load('ch06_bond_levels')['bond_usd'].max()):,}"
CITATION = "[Sobko, 2026]"


def markdown_cell_text(page, contains: str) -> str:
    """The rendered text of the first markdown cell whose source contains ``contains``, scrolled into view."""
    index = page.evaluate(
        "s => window.__panel.content.widgets.findIndex(c => c.model.type === 'markdown'"
        " && c.model.sharedModel.getSource().includes(s))", contains)
    assert index >= 0, f"no markdown cell with {contains!r}"
    page.evaluate("i => { const n = window.__panel.content; n.activeCellIndex = i; n.scrollToItem(i); }", index)
    page.wait_for_function(
        "i => { const c = window.__panel.content.widgets[i]; return c.rendered && c.node.isConnected"
        " && c.node.querySelector('.jp-MarkdownOutput, .myst') && c.node.innerText.trim().length > 0; }",
        arg=index, timeout=30_000)
    return page.evaluate("i => window.__panel.content.widgets[i].node.innerText", index)


def assert_prose_renders(page) -> None:
    """After Run All: every inline number evaluated, none shown as markup; citations, captions, admonitions rendered."""
    # jupyterlab-myst evaluates a markdown cell's inline expressions when Run All reaches it and
    # keeps the results in the cell's metadata: wait until every such cell has all of them
    page.wait_for_function(
        "(() => window.__panel.content.widgets.filter(c => c.model.type === 'markdown').every(c => {"
        " const n = (c.model.sharedModel.getSource().match(/\\{eval\\}`/g) || []).length;"
        " return (c.model.getMetadata('user_expressions') || []).length === n; }))()", timeout=60_000)
    failed = page.evaluate(
        "window.__panel.content.widgets.filter(c => c.model.type === 'markdown')"
        ".flatMap(c => (c.model.getMetadata('user_expressions') || []).filter(e => e.result.status !== 'ok')"
        ".map(e => e.expression + ': ' + (e.result.evalue || '')))")
    assert not failed, f"numbers that do not show in Lab: {failed[:5]}"
    text = markdown_cell_text(page, "bond_max:,")
    assert BOND_MAX in text, f"USD {BOND_MAX} (glued bond_max) is not in the rendered prose: {text[:300]!r}"
    first = markdown_cell_text(page, "sobko2026visabonds")
    assert CITATION in first and "Learning objectives" in first
    caption = markdown_cell_text(page, "coursekit-glued fig-five-countries")
    assert "6.1" in caption and "The five Central Asian countries" in caption, caption[:200]
    rendered = page.evaluate("window.__panel.content.widgets.filter(c => c.model.type === 'markdown' && c.node.isConnected)"
                             ".map(c => c.node.innerText).join('\\n')")
    for markup in ("{glue", "{cite}", "{eval}", "book.glued", ":::{", ":name: fig-", "{abbr}"):
        assert markup not in rendered, f"{markup!r} shows as text in the rendered chapter"


def test_chapter_opens_unmodified_and_saves_unchanged(lab, browser):
    on_disk = ROOTS[lab] / CHAPTER
    original = (REPO / CHAPTER).read_bytes()
    assert on_disk.read_bytes() == original
    context, page, remote = open_in_lab(browser, lab, CHAPTER)
    # settled: the kernel has started and reported its language, and the markdown has rendered
    page.wait_for_function("window.__panel.sessionContext.session?.kernel?.status === 'idle'"
                           " && !!window.__panel.model.getMetadata('language_info')", timeout=120_000)
    page.wait_for_function("window.__panel.content.widgets.filter(c => c.model.type === 'markdown').every(c => c.rendered)"
                           " && !!document.querySelector('.jp-MarkdownCell abbr')", timeout=60_000)
    assert page.evaluate("window.__panel.context.model.dirty") is False, "the chapter opened as modified"
    assert "jp-mod-dirty" not in page.evaluate("window.__panel.title.className"), "the tab shows the modified dot"
    with page.expect_response(lambda r: r.request.method == "PUT" and CHAPTER in r.url, timeout=60_000) as saved:
        page.evaluate("window.jupyterapp.shell.activateById(window.__panel.id);"
                      "window.jupyterapp.commands.execute('docmanager:save')")
    assert saved.value.ok, f"save failed: {saved.value.status}"
    assert on_disk.read_bytes() == original, "saving the unedited chapter changed the file"
    # closing asks nothing (no "save your changes?" dialog) and closes the tab
    page.evaluate("window.__panel.close()")
    page.wait_for_function("window.__panel.isDisposed", timeout=30_000)
    assert page.locator(".jp-Dialog").count() == 0
    assert not remote, f"requests left the machine: {remote[:5]}"
    context.close()


def test_the_students_lab_has_no_instructor_tools(lab, browser):
    context, page, remote = open_in_lab(browser, lab, CHAPTER)
    tools = page.evaluate(PLUGINS_AND_COMMANDS)
    assert tools == {p: False for p in tools}, f"instructor tools in the student's Lab: {tools}"
    assert page.locator(".Toastify__toast, .jp-toast-message").count() == 0, "a pop-up is showing"
    status = requests_status(f"{lab}/formgrader/api/status?token={TOKEN}")
    assert status == 404, f"the student's server answers the formgrader: {status}"
    assert not remote, f"requests left the machine: {remote[:5]}"
    context.close()


def test_the_instructors_lab_has_the_formgrader(instructor_lab, browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto(f"{instructor_lab}/lab?reset&token={TOKEN}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')",
                           timeout=120_000)
    tools = page.evaluate(PLUGINS_AND_COMMANDS)
    expected = {p: not p.endswith("announcements") for p in tools}
    assert tools == expected, f"the instructor's Lab: {tools}"
    assert requests_status(f"{instructor_lab}/formgrader/api/status?token={TOKEN}") == 200
    context.close()


# nbgrader's instructor plugins and their commands, and the news pop-up's plugin: present or not
PLUGINS_AND_COMMANDS = """(() => { const app = window.jupyterapp, out = {};
  for (const p of ['@jupyter/nbgrader:formgrader', '@jupyter/nbgrader:create-assignment',
                   '@jupyter/nbgrader:course-list', '@jupyterlab/apputils-extension:announcements'])
    out[p] = app.hasPlugin(p) && app.isPluginActivated(p);
  for (const c of ['nbgrader:open-formgrader', 'nbgrader:open-create-assignment', 'nbgrader:open-course-list'])
    out[c] = app.commands.hasCommand(c);
  return out; })()"""


def requests_status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=30).status
    except urllib.error.HTTPError as err:
        return err.code


def test_assignment_charts_draw_and_the_explorer_redraws(lab, browser):
    context, page, remote = open_in_lab(browser, lab, f"{ASSIGNMENT}.ipynb")
    run_all(page)
    n, drawn = drawn_charts(page)
    assert n >= 2 and drawn == n, f"{drawn} of {n} charts drew"
    # JupyterLab renders only the cells near the viewport: bring the explorer's cell into view
    page.evaluate("(() => { const w = window.__panel; w.content.activeCellIndex = w.content.widgets.length - 1;"
                  " w.content.scrollToItem(w.content.widgets.length - 1); })()")
    dropdown = page.locator(".jupyter-widgets select").first
    dropdown.wait_for(state="attached", timeout=60_000)
    dropdown.scroll_into_view_if_needed()
    explorer = page.locator(".widget-output .coursekit-chart").first
    explorer.locator("svg.marks").wait_for(state="attached", timeout=60_000)
    before = explorer.get_attribute("id")  # each redraw is a new chart element
    current = dropdown.input_value()
    other = next(v for v in dropdown.locator("option").evaluate_all("os => os.map(o => o.value)") if v != current)
    dropdown.select_option(other)
    page.wait_for_function(
        "before => { const chart = document.querySelector('.widget-output .coursekit-chart');"
        " return chart && chart.id !== before && chart.querySelector('svg.marks'); }", arg=before, timeout=60_000)
    assert not remote, f"requests left the machine: {remote[:5]}"
    context.close()
