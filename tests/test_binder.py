"""Binder builds with the Python in binder/runtime.txt: every package pinned in requirements.txt
must accept that Python according to its installed metadata (Requires-Python), so the runtime
file and the pins cannot drift apart."""

import re
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import REPO


def runtime_python() -> Version:
    text = (REPO / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, f"binder/runtime.txt should read like 'python-3.11', not {text!r}"
    return Version(match.group(1))


def pins() -> list[Requirement]:
    reqs = []
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            reqs.append(Requirement(line))
    return reqs


def test_runtime_file_names_a_python():
    assert runtime_python() >= Version("3.11")


def test_binder_installs_the_same_pins():
    lines = [l.strip() for l in (REPO / "binder" / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert lines == ["-r ../requirements.txt"]


@pytest.mark.parametrize("req", pins(), ids=lambda r: r.name)
def test_pinned_package_accepts_the_runtime_python(req):
    python = runtime_python()
    # repo2docker installs the newest patch release of the minor version runtime.txt names
    # (conda 'python=3.11'); some pins ask for a patch floor (soupsieve 4.1.2: >=3.11.5), which the
    # newest patch meets. A pin that drops 3.11 altogether (>=3.12) fails here.
    versions = [Version(f"{python.major}.{python.minor}.99")]
    dist = metadata.distribution(req.name)
    assert req.specifier.contains(dist.version), f"{req.name}: installed {dist.version}, pinned {req.specifier}"
    requires = dist.metadata.get("Requires-Python") or ""
    spec = SpecifierSet(requires)
    for v in versions:
        assert spec.contains(v), f"{req.name}=={dist.version} requires Python {requires}: runtime.txt says {python}"


def test_the_python_running_the_tests_meets_every_floor():
    """The venv's Python (CI's) must itself satisfy every pin's Requires-Python, patch floors included."""
    here = Version(".".join(map(str, sys.version_info[:3])))
    refused = {}
    for req in pins():
        requires = metadata.distribution(req.name).metadata.get("Requires-Python") or ""
        if not SpecifierSet(requires).contains(here):
            refused[req.name] = requires
    assert not refused, f"Python {here} is refused by {refused}"
