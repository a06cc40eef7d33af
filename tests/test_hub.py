"""One assignment's whole life through a real JupyterHub on 127.0.0.1 (deploy/jupyterhub_config.py).

JupyterHub (PyPI) with configurable-http-proxy (npm, deploy/package-lock.json), one instructor and two
students, "simple" mode of the config: every single-user server runs as the hub's own Unix user with
its own home folder (the Unix-user mode needs the venv's interpreter readable by every account).
Everything goes through the hub's REST API (a service token creates each user's token and starts
their server) and the users' own servers: the formgrader's REST API for the instructor (generate,
release, collect, manual grade, feedback), the assignment list API for the students (fetch, submit,
fetch feedback), the contents API for the student's edits. Grading is nbgrader autograde through the
formgrader's API (see the comment in the test for why not `coursekit grade`)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from conftest import BIN, REPO, env_with_venv

NAME = "ch06_visa_bonds"
COURSE = "central-asia-monitor"
CHP = REPO / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy"
STUDENTS = ("alice", "bob")
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float = 180, every: float = 0.5):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            result = check()
            if result:
                return result
        except (requests.ConnectionError, requests.Timeout) as e:
            last = e
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what} ({last})")


class Hub:
    def __init__(self, url: str, token: str):
        self.url, self.session = url, requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def api(self, method: str, path: str, **kw):
        r = self.session.request(method, f"{self.url}/hub/api{path}", timeout=60, **kw)
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.text else None


class UserServer:
    """A user's own single-user server, reached through the hub's proxy with that user's token."""

    def __init__(self, url: str, name: str, token: str):
        self.base, self.session = f"{url}/user/{name}", requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def call(self, method: str, path: str, timeout: float = 300, **kw):
        r = self.session.request(method, f"{self.base}{path}", timeout=timeout, **kw)
        assert r.status_code < 400, f"{method} {self.base}{path}: {r.status_code} {r.text[:1000]}"
        try:
            return json.loads(r.text)  # the formgrader answers JSON as text/html
        except ValueError:
            return r.text


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if not CHP.exists():
        if os.environ.get("CI"):
            pytest.fail("deploy/node_modules has no configurable-http-proxy: run npm ci --prefix deploy (make setup)")
        pytest.skip("configurable-http-proxy not installed (npm ci --prefix deploy; in CI this is a failure)")
    root = tmp_path_factory.mktemp("hub")
    homes, state, exchange = root / "homes", root / "state", root / "exchange"
    # the instructor's clone of the course: exercises/ (course root) and deploy/nbgrader_templates
    clone = homes / "instructor" / "central-asia-monitor"
    shutil.copytree(REPO / "exercises", clone / "exercises", ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "grading", "gradebook.db", ".ipynb_checkpoints"))
    shutil.copytree(REPO / "deploy" / "nbgrader_templates", clone / "deploy" / "nbgrader_templates")
    port, admin_token = free_port(), secrets.token_hex(16)
    env = env_with_venv() | {
        "COURSE_HUB_SPAWNER": "simple", "COURSE_HUB_HOMES": str(homes), "COURSE_HUB_STATE": str(state),
        "COURSE_EXCHANGE": str(exchange), "COURSE_INSTRUCTORS": "instructor", "COURSE_STUDENTS": ",".join(STUDENTS),
        "COURSE_HUB_IP": "127.0.0.1", "COURSE_HUB_PORT": str(port), "COURSE_HUB_ADMIN_TOKEN": admin_token,
        "COURSE_HUB_PASSWORD": secrets.token_hex(8), "COURSE_VENV": str(BIN.parent),
    }
    log = open(root / "jupyterhub.log", "w")
    proc = subprocess.Popen(
        [str(BIN / "jupyterhub"), "-f", str(REPO / "deploy" / "jupyterhub_config.py"),
         f"--JupyterHub.hub_port={free_port()}", f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    hub = Hub(url, admin_token)
    try:
        wait_for("the hub's REST API", lambda: proc.poll() is None and requests.get(f"{url}/hub/api/", timeout=10).ok
                 or (proc.poll() is not None and pytest.fail((root / "jupyterhub.log").read_text()[-4000:])))
        servers = {}
        for name in ("instructor", *STUDENTS):
            token = hub.api("POST", f"/users/{name}/tokens", json={"note": "course test"})["token"]
            hub.api("POST", f"/users/{name}/server")
            servers[name] = UserServer(url, name, token)
        for name in servers:
            wait_for(f"{name}'s server", lambda: hub.api("GET", f"/users/{name}")["servers"].get("", {}).get("ready"))
        yield {"hub": hub, "servers": servers, "homes": homes, "exchange": exchange, "log": root / "jupyterhub.log",
               "course": clone / "exercises"}
    finally:
        for name in ("instructor", *STUDENTS):
            try:
                hub.session.delete(f"{url}/hub/api/users/{name}/server", timeout=30)
            except requests.RequestException:
                pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def answers() -> dict[str, list[str] | str]:
    source = json.loads((REPO / "exercises" / "source" / NAME / f"{NAME}.ipynb").read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}


def hidden_lines() -> list[str]:
    source = json.loads((REPO / "exercises" / "source" / NAME / f"{NAME}.ipynb").read_text())
    lines, inside = [], False
    for cell in source["cells"]:
        for line in "".join(cell["source"]).split("\n"):
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) > 8 and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


def test_an_assignment_lives_through_the_hub(hub):
    teacher = hub["servers"]["instructor"]
    alice, bob = hub["servers"]["alice"], hub["servers"]["bob"]

    # the roles: students do not get the formgrader, the instructor does
    assert teacher.call("GET", "/formgrader/api/status")["status"] is True
    r = alice.session.get(f"{alice.base}/formgrader/api/status", timeout=60)
    assert r.status_code == 404, f"a student reached the formgrader: {r.status_code}"
    assert set(hub["hub"].api("GET", "/groups/students")["users"]) == set(STUDENTS)

    # instructor: generate the student version and release it to the exchange
    out = teacher.call("POST", f"/formgrader/api/assignment/{NAME}/assign")
    assert out["success"], out
    out = teacher.call("POST", f"/formgrader/api/assignment/{NAME}/release")
    assert out["success"], out

    # students: see it in the assignment list and fetch it
    for student in (alice, bob):
        listed = student.call("GET", "/assignments", params={"course_id": COURSE})
        assert listed["success"], listed
        assert any(a["assignment_id"] == NAME and a["status"] == "released" for a in listed["value"]), listed
        fetched = student.call("POST", "/assignments/fetch", data={"assignment_id": NAME, "course_id": COURSE})
        assert any(a["assignment_id"] == NAME and a["status"] == "fetched" for a in fetched["value"]), fetched

    # alice answers every part (the model answers, typed in through the contents API) and the written question
    path = f"/api/contents/{NAME}/{NAME}.ipynb"
    nb = alice.call("GET", path)["content"]
    typed = answers()
    written = None
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") in typed:
            cell["source"] = typed[meta["grade_id"]]
            if cell["cell_type"] == "markdown" and meta.get("grade"):
                written = meta["grade_id"]
    assert written, "ch06_visa_bonds has no manually graded written answer"
    alice.call("PUT", path, json={"type": "notebook", "format": "json", "content": nb})
    # bob submits the untouched student version
    for student in (alice, bob):
        out = student.call("POST", "/assignments/submit", data={"assignment_id": NAME, "course_id": COURSE})
        assert out.get("success", True) and "value" in out, out

    # instructor: collect through the formgrader, then grade with `coursekit grade` in a terminal (the course's
    # path: parallel, sandboxed); it must keep nbgrader's submission_secret.txt, or release_feedback fails
    out = teacher.call("POST", f"/formgrader/api/assignment/{NAME}/collect")
    assert out["success"], out
    for s in STUDENTS:
        assert (hub["course"] / "submitted" / s / NAME / "submission_secret.txt").exists()
    proc = subprocess.run([str(BIN / "coursekit"), "grade", NAME, "--no-progress"], cwd=hub["course"],
                          env=env_with_venv(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for s in STUDENTS:
        assert (hub["course"] / "autograded" / s / NAME / "submission_secret.txt").exists(), s

    # the formgrader sees the scores; the instructor scores alice's written answer
    subs = {s["student"]: s for s in teacher.call("GET", f"/formgrader/api/submitted_notebooks/{NAME}/{NAME}")}
    assert set(subs) == set(STUDENTS)
    assert subs["alice"]["code_score"] == subs["alice"]["max_code_score"] > 0, subs["alice"]
    assert subs["bob"]["code_score"] == 0
    grades = teacher.call("GET", "/formgrader/api/grades", params={"submission_id": subs["alice"]["id"]})
    manual = [g for g in grades if g["name"] == written][0]
    saved = teacher.call("PUT", f"/formgrader/api/grade/{manual['id']}", json={"manual_score": manual["max_score"] - 1})
    assert saved["manual_score"] == manual["max_score"] - 1
    again = teacher.call("GET", "/formgrader/api/grades", params={"submission_id": subs["alice"]["id"]})
    assert [g for g in again if g["name"] == written][0]["manual_score"] == manual["max_score"] - 1

    # feedback: generated and released by the instructor, fetched by alice; no hidden test in it
    out = teacher.call("POST", f"/formgrader/api/assignment/{NAME}/generate_feedback")
    assert out["success"], out
    out = teacher.call("POST", f"/formgrader/api/assignment/{NAME}/release_feedback")
    assert out["success"], out
    listed = alice.call("POST", "/assignments/fetch_feedback", data={"assignment_id": NAME, "course_id": COURSE})
    mine = [a for a in listed["value"] if a["assignment_id"] == NAME]
    assert mine and any(s.get("has_local_feedback") for a in mine for s in a.get("submissions", [])), mine
    folder = alice.call("GET", f"/api/contents/{NAME}/feedback")["content"]
    assert folder, "no feedback folder in alice's home"
    html = alice.call("GET", f"/api/contents/{folder[0]['path']}/{NAME}.html", params={"type": "file", "format": "text"})["content"]
    text = BeautifulSoup(html, "html.parser").get_text()
    assert "Score" in text
    leaked = [l for l in hidden_lines() if l in text]
    assert not leaked, leaked[:3]
