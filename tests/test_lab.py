"""The course in a real JupyterLab, with no network: a chapter opens as a notebook,
Run All draws every chart, an assignment's charts draw and its widget explorer
redraws when a control changes, and no request leaves the machine.

A JupyterLab server is started on 127.0.0.1 over a copy of the chapters and of one
assignment (JupyterLab saves what it opens; the repository is not touched) and driven
with Debian chromium. The assignment is the source version: the student version
stops at its first unanswered part by design, and the source shows what a student
sees once every part is done.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import BIN, REPO, env_with_venv
from test_browser import browser  # noqa: F401  (the course's chromium, offline)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TOKEN = "coursekit-lab-test"
CHAPTER = "chapters/06-us-visa-bonds/visa-bonds.md"
ASSIGNMENT = "ch06_visa_bonds"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 over a copy of chapters/ and one assignment; yields its base URL."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "chapters", root / "chapters", ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    shutil.copy(REPO / "exercises" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / f"{ASSIGNMENT}.ipynb")
    port = free_port()
    env = env_with_venv() | {"JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"), "JUPYTER_RUNTIME_DIR": str(root / ".rt")}
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
    """(charts in outputs, charts that drew an SVG or canvas)."""
    page.wait_for_timeout(1500)  # let vega-embed finish the last charts
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
    assert not remote, f"requests left the machine: {remote[:5]}"
    context.close()


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
