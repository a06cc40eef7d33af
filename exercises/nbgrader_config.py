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

# Honest submissions: put the hidden tests back without the "Attribute 'checksum' ... has changed!"
# warning (the released cell never had them); an edited test cell is still restored and warned about.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.feedback.QuietOverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Feedback shows scores, comments and visible tests, never hidden test code (jupyter/nbgrader#917).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "coursekit.feedback.HideHiddenTests",
]
# The formgrader and the feedback load MathJax 2.7.7 from the Jupyter server (npm ci in deploy/,
# served as /static/mathjax/ through .venv/etc/jupyter/jupyter_server_config.json, written by make setup),
# not from cdnjs (deploy/nbgrader_templates/base/mathjax.html.j2).
c.HTMLExporter.extra_template_basedirs = [
    str(HERE.parent / "deploy" / "nbgrader_templates"),
    str(Path(__import__("nbgrader").__file__).parent / "server_extensions" / "formgrader" / "templates"),
]
