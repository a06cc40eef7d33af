"""nbgrader's formgrader with no network: a real Jupyter server on 127.0.0.1 (started here, with the
course's nbgrader extensions and config), Debian chromium with every http(s) request outside
127.0.0.1 blocked. Open a graded submission, score the written answer, see it saved; MathJax comes
from the server (/static/mathjax/, npm mathjax 2.7.7), no console error, no request leaves the machine."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from urllib.parse import urlparse

import pytest
import requests

from conftest import BIN, REPO, env_with_venv, run
from test_browser import CHROMIUM, FLAGS

NAME = "ch06_visa_bonds"
MATHJAX = REPO / "deploy" / "node_modules" / "mathjax" / "MathJax.js"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    for what, ok in (("Debian chromium", os.path.exists(CHROMIUM)), ("npm mathjax (npm ci --prefix deploy)", MATHJAX.exists())):
        if not ok:
            if os.environ.get("CI"):
                pytest.fail(f"{what} is not installed: the formgrader test cannot run")
            pytest.skip(f"{what} not installed (in CI this is a failure)")
    root = tmp_path_factory.mktemp("formgrader").resolve()
    course = root / "exercises"
    shutil.copytree(REPO / "exercises", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "grading", "gradebook.db", ".ipynb_checkpoints"))
    shutil.copytree(REPO / "deploy" / "nbgrader_templates", root / "deploy" / "nbgrader_templates")
    nbgrader = str(BIN / "nbgrader")
    run([nbgrader, "generate_assignment", NAME, "--force"], cwd=course)
    submission = json.loads((course / "source" / NAME / f"{NAME}.ipynb").read_text())  # the model answers
    target = course / "submitted" / "alice" / NAME / f"{NAME}.ipynb"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(submission))
    run([nbgrader, "db", "student", "add", "alice"], cwd=course)
    run([nbgrader, "autograde", NAME, "--force"], cwd=course)

    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "server.log", "w")
    # the server reads the venv's sys-prefix config: nbgrader extensions, and /static/mathjax written by make setup
    served = BIN.parent / "etc" / "jupyter" / "jupyter_server_config.json"
    if str(REPO / "deploy" / "node_modules") not in (served.read_text() if served.exists() else ""):
        if os.environ.get("CI"):
            pytest.fail(f"{served} does not serve deploy/node_modules (make setup writes it)")
        pytest.skip(f"{served} does not serve deploy/node_modules: run make setup")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--allow-root"],
        cwd=course, env=env_with_venv(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{url}/api/status", headers={"Authorization": f"token {token}"}, timeout=10).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > end:
                pytest.fail("the Jupyter server did not start:\n" + (root / "server.log").read_text()[-4000:])
            time.sleep(0.5)
        yield {"url": url, "token": token, "course": course, "source": submission}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def api(server, path, **kw):
    r = requests.request(kw.pop("method", "GET"), f"{server['url']}{path}",
                         headers={"Authorization": f"token {server['token']}"}, timeout=60, **kw)
    assert r.ok, f"{path}: {r.status_code} {r.text[:500]}"
    return json.loads(r.text)


def test_formgrader_grades_a_written_answer_offline(server):
    from playwright.sync_api import sync_playwright

    sub = api(server, f"/formgrader/api/submitted_notebooks/{NAME}/{NAME}")[0]
    written = [c["metadata"]["nbgrader"] for c in server["source"]["cells"] if c["cell_type"] == "markdown"
               and c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["metadata"]["nbgrader"].get("solution")]
    assert written, "no manually graded written answer"
    grade_id, points = written[0]["grade_id"], written[0]["points"]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # the grader is logged in with the server's token (a header on every request, as a hub's cookie would be)
        context = browser.new_context(extra_http_headers={"Authorization": f"token {server['token']}"})
        page = context.new_page()
        errors, remote = [], []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))

        def local(u):
            parsed = urlparse(u)
            return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"

        page.on("request", lambda r: local(r.url) or remote.append(r.url))
        page.route("**/*", lambda route: route.continue_() if local(route.request.url) else route.abort())
        page.goto(f"{server['url']}/formgrader/submissions/{sub['id']}/")
        page.wait_for_load_state("load")
        page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.loaded === true", timeout=60000)
        # charts in the submission (coursekit's self-contained renderer) draw offline
        n_charts = page.locator(".coursekit-chart").count()
        assert n_charts >= 1, "the submission's chart (Part 5) is not in the formgrader page"
        page.wait_for_function(f"document.querySelectorAll('.coursekit-chart svg').length >= {n_charts}", timeout=30000)
        page.wait_for_load_state("networkidle")  # the grade views exist once the grades are fetched
        score = page.locator(f"input.score#{grade_id}")
        end = time.monotonic() + 60
        while True:  # a busy machine may still be wiring the views: type again until the server has it
            score.fill(str(points - 1))
            score.dispatch_event("change")
            page.wait_for_timeout(2000)
            grades = api(server, "/formgrader/api/grades", params={"submission_id": sub["id"]})
            saved = [g for g in grades if g["name"] == grade_id][0]["manual_score"]
            if saved == points - 1 or time.monotonic() > end:
                break
        assert saved == points - 1, f"the score typed in the formgrader was not saved ({saved})"
        # after a reload the page shows the saved score
        page.reload()
        page.wait_for_load_state("load")
        page.wait_for_function(f"document.querySelector('input.score#{grade_id}').value == '{points - 1:g}' "
                               f"|| Number(document.querySelector('input.score#{grade_id}').value) == {points - 1}", timeout=30000)
        browser.close()
    assert not [e for e in errors if "mathjax" in e.lower()], errors
    assert not errors, errors
    assert not remote, f"requests left the machine: {remote}"
    print(f"formgrader: {n_charts} chart(s) in the submission drew offline")
