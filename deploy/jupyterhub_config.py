"""JupyterHub configuration for running the course on a hub (see deploy/README.md, instructors/hub.md).

    jupyterhub -f deploy/jupyterhub_config.py

One course, local accounts, one shared nbgrader exchange, the course's pinned venv (.venv of this
repository, or COURSE_VENV) as every user's single-user environment. Instructors get the formgrader
and the course list; students get the assignment list (fetch, validate, submit, feedback).
Everything that differs between machines comes from environment variables:

COURSE_INSTRUCTORS   comma-separated user names of the instructors (graders)   default: instructor
COURSE_STUDENTS      comma-separated user names of the students (the allow list) default: none (any local user)
COURSE_ID            nbgrader course id                                         default: central-asia-monitor
COURSE_EXCHANGE      the shared nbgrader exchange (created 1777)                default: /srv/nbgrader/exchange
COURSE_HUB_STATE     the hub's database and cookie secret                       default: /srv/jupyterhub
COURSE_HUB_IP / _PORT where the hub listens                                     default: all interfaces, 8000
COURSE_VENV          the course environment                                     default: <repo>/.venv
COURSE_HUB_SPAWNER   "unix" (default): PAM login, each server runs as its Unix user (LocalProcessSpawner);
                     "simple": a shared password, every server runs as the hub's own user with its own
                     home folder under COURSE_HUB_HOMES (SimpleLocalProcessSpawner; for a test, a demo,
                     or a one-person VM: no isolation between users)
COURSE_ROOT          an instructor's nbgrader course root ({home}, {username})  default: {home}/central-asia-monitor/exercises
COURSE_HUB_HOMES     per-user home folders in "simple" mode                     default: /srv/course-homes
COURSE_HUB_PASSWORD  the shared password in "simple" mode (SharedPasswordAuthenticator, >= 8 characters)
COURSE_HUB_ADMIN_TOKEN  optional: a token for the "course-admin" service (user and server management
                     through the REST API: creating accounts at the start of term, tests)
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _names(var: str, default: str = "") -> set[str]:
    return {n.strip() for n in os.environ.get(var, default).split(",") if n.strip()}


INSTRUCTORS = _names("COURSE_INSTRUCTORS", "instructor")
STUDENTS = _names("COURSE_STUDENTS")
COURSE_ID = os.environ.get("COURSE_ID", "central-asia-monitor")
EXCHANGE = Path(os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange"))
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
VENV = Path(os.environ.get("COURSE_VENV", str(REPO / ".venv")))
MODE = os.environ.get("COURSE_HUB_SPAWNER", "unix")
HOMES = Path(os.environ.get("COURSE_HUB_HOMES", "/srv/course-homes"))
# an instructor's clone of the course repository: its exercises/ folder is the nbgrader course root
COURSE_ROOT = os.environ.get("COURSE_ROOT", "{home}/central-asia-monitor/exercises")

STATE.mkdir(parents=True, exist_ok=True)
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)  # every user writes its submissions; nbgrader keeps inbound/outbound permissions

# --- the hub and its proxy -------------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("COURSE_HUB_IP", "")
c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# configurable-http-proxy from npm, pinned in deploy/package-lock.json (npm ci --prefix deploy)
_chp = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if _chp.exists():
    c.ConfigurableHTTPProxy.command = [str(_chp)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# a busy machine: give servers time to start
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.default_url = "/hub/home"

# --- accounts and roles ----------------------------------------------------------------------------
if MODE == "simple":
    c.JupyterHub.authenticator_class = "shared-password"
    if os.environ.get("COURSE_HUB_PASSWORD"):
        c.SharedPasswordAuthenticator.user_password = os.environ["COURSE_HUB_PASSWORD"]
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
else:
    c.JupyterHub.authenticator_class = "pam"
    c.LocalAuthenticator.create_system_users = False  # accounts come from the course's user list
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Authenticator.admin_users = set()  # instructors are not hub admins: the roles below are enough
c.Authenticator.allowed_users = INSTRUCTORS | STUDENTS if STUDENTS else set()
c.Authenticator.allow_all = not STUDENTS
c.JupyterHub.load_groups = {
    "instructors": {"users": sorted(INSTRUCTORS)},
    "students": {"users": sorted(STUDENTS)},
}
c.JupyterHub.load_roles = [
    {
        "name": "instructor",
        "description": "Course instructors: see the students and their servers' status, start or stop them",
        "groups": ["instructors"],
        "scopes": ["self", "admin-ui", "list:users", "read:users!group=students", "servers!group=students"],
    },
    {"name": "student", "description": "Students: their own server only", "groups": ["students"], "scopes": ["self"]},
]
if os.environ.get("COURSE_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["COURSE_HUB_ADMIN_TOKEN"]}]
    c.JupyterHub.load_roles.append({
        "name": "course-admin",
        "services": ["course-admin"],
        "scopes": ["admin:users", "admin:servers", "tokens", "read:users", "list:users", "read:groups", "access:servers"],
    })

# --- the single-user environment -------------------------------------------------------------------
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    # nbgrader shells out to alembic: the venv's bin first on PATH (also for terminals)
    "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
if os.getuid() == 0 and MODE == "simple":
    c.Spawner.args = ["--allow-root"]

# The student's and the instructor's Lab are defined once, in src/coursekit/labsettings.py (the same
# folders serve make lab, make lab-instructor and Binder): `coursekit lab-settings` (make setup) writes
# them into the venv as etc/coursekit/<role>, each a Jupyter config folder put first on JUPYTER_CONFIG_PATH.
# A student's has the formgrader, course list and create-assignment switched off, in JupyterLab and in
# the server; an instructor's has them on.
def role_config(role):
    path = VENV / "etc" / "coursekit" / role
    if not (path / "jupyter_server_config.json").is_file():
        raise RuntimeError(f"{path} is missing: run `coursekit lab-settings` (make setup) in the course venv")
    return str(path)


def course_files(spawner):
    """Before a server starts: the user's nbgrader config (course, exchange; an instructor's course root)
    and the Lab of their role (the instructor tools switched off for a student)."""
    name = spawner.user.name
    instructor = name in INSTRUCTORS
    home = Path(HOMES / name) if MODE == "simple" else Path(os.path.expanduser(f"~{name}"))
    jupyter = home / ".jupyter"
    jupyter.mkdir(parents=True, exist_ok=True)
    lines = [
        "c = get_config()",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        f"c.Exchange.root = {str(EXCHANGE)!r}",
    ]
    if not instructor:
        # nbgrader names a submission after the OS user (all servers share one in "simple" mode)
        lines.append(f"c.CourseDirectory.student_id = {name!r}")
    if instructor:
        course = Path(COURSE_ROOT.format(home=home, username=name))
        lines.append(f"c.CourseDirectory.root = {str(course)!r}")
    (jupyter / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    spawner.environment = dict(spawner.environment,
                               JUPYTER_CONFIG_PATH=role_config("instructor" if instructor else "student"))
    if MODE != "simple":
        import pwd

        pw = pwd.getpwnam(name)
        for path in [jupyter, jupyter / "nbgrader_config.py"]:
            os.chown(path, pw.pw_uid, pw.pw_gid)


c.Spawner.pre_spawn_hook = course_files
