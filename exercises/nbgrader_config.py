"""nbgrader configuration of the course. Run nbgrader commands from this folder (exercises/)."""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader)

HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "central-asia-monitor"
# Gradebook: SQLite next to this file (absolute path: a relative one fails).
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}"
# Student code may be slow on a shared hub; 60 s per cell before a timeout.
c.ExecutePreprocessor.timeout = 60
# A deleted test cell is put back (and scores zero) instead of waiting for manual grading.
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
