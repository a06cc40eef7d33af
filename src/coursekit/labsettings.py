"""JupyterLab settings the course installs into its environment, and the two Labs: student and instructor.

A chapter is a MyST-Markdown notebook (``chapters/NN-slug/slug.md``). Out of
the box JupyterLab opens ``.md`` files as text; the course makes jupytext's
notebook view their default viewer, for everyone using the environment
(laptop, Binder, a hub), by writing JupyterLab's environment-wide
``share/jupyter/lab/settings/overrides.json``. A student can still pick
"Open With > Markdown Preview" or "Editor" from the context menu.

The roles are defined here once, and used by ``make lab`` (student), ``make lab-instructor``,
Binder (``binder/start``: student) and the course hub (``deploy/jupyterhub_config.py``, per user):
each is a Jupyter configuration folder, ``<env>/etc/coursekit/<role>``, put in front of the others
with ``JUPYTER_CONFIG_PATH``. Both roles get

- the course's contents manager (:mod:`coursekit.labview`): chapters render in Lab with their
  numbers, citations and captions, and open and save without being changed;
- no JupyterLab news pop-up (the announcements plugin is off).

The student's Lab also has nbgrader's instructor tools switched off, in JupyterLab (Formgrader,
Course List, Create Assignment) and in the server (the formgrader and course list extensions);
the instructor's has them on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
DEFAULT_VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}

ROLES = ("student", "instructor")
# JupyterLab plugins and server extensions only an instructor gets
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:create-assignment")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
# off for everyone: the "receive official Jupyter news?" pop-up (and its fetch of the news feed)
PLUGINS_OFF = ("@jupyterlab/apputils-extension:announcements",)
CONTENTS_MANAGER = "coursekit.labview.CourseContentsManager"


def overrides_path(prefix: str | Path | None = None) -> Path:
    """Where JupyterLab reads environment-wide setting overrides."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def role_dir(role: str, prefix: str | Path | None = None) -> Path:
    """The Jupyter configuration folder of a role: ``JUPYTER_CONFIG_PATH=<this> jupyter lab``."""
    if role not in ROLES:
        raise ValueError(f"role is one of {ROLES}, not {role!r}")
    return Path(prefix or sys.prefix) / "etc" / "coursekit" / role


def page_config(role: str) -> dict:
    """JupyterLab's page_config for a role (``disabledExtensions``: true is off, false is on)."""
    off = {plugin: True for plugin in PLUGINS_OFF}
    off.update({plugin: role != "instructor" for plugin in INSTRUCTOR_PLUGINS})
    return {"disabledExtensions": off}


def server_config(role: str) -> dict:
    """The Jupyter server's configuration for a role."""
    return {"ServerApp": {
        "contents_manager_class": CONTENTS_MANAGER,
        "jpserver_extensions": {ext: role == "instructor" for ext in INSTRUCTOR_SERVER_EXTENSIONS},
    }}


def write_role(role: str, directory: str | Path) -> Path:
    """Write a role's configuration folder (labconfig/page_config.json, jupyter_server_config.json)."""
    directory = Path(directory)
    (directory / "labconfig").mkdir(parents=True, exist_ok=True)
    (directory / "labconfig" / "page_config.json").write_text(json.dumps(page_config(role), indent=2) + "\n",
                                                              encoding="utf-8")
    (directory / "jupyter_server_config.json").write_text(json.dumps(server_config(role), indent=2) + "\n",
                                                          encoding="utf-8")
    return directory


def install(prefix: str | Path | None = None) -> Path:
    """Make jupytext's notebook the default viewer of .md files, keeping any other overrides,
    and write the student's and the instructor's configuration folders."""
    path = overrides_path(prefix)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    viewers = current.setdefault(DOCMANAGER, {}).setdefault("defaultViewers", {})
    viewers.update(DEFAULT_VIEWERS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    for role in ROLES:
        write_role(role, role_dir(role, prefix))
    return path
