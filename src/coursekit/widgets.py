"""ipywidgets explorers over pure functions.

An explorer only *displays* what a plain function returns for the current
control values. Graded answers never live in a widget: nbgrader runs
notebooks headless, where nobody moves a slider.
"""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w
from IPython.core.interactiveshell import InteractiveShell

from . import guidance, regions


def country_dropdown(codes, value: str | None = None, description: str = "Country") -> w.Dropdown:
    """A dropdown showing country names and yielding ISO3 codes."""
    codes = list(codes)
    return w.Dropdown(options=[(regions.name(c), c) for c in codes], value=value or codes[0], description=description)


def explorer(render: Callable[..., Any], **controls: w.ValueWidget) -> w.VBox:
    """Controls above an output area that shows ``render(**values)``.

    ``render`` is a plain function (testable without widgets); it is called
    once at start and whenever a control changes. Errors show as a message,
    not a traceback, so a student sees what to fix (e.g. an unfinished part).
    """
    out = w.Output()

    def update(_change=None) -> None:
        # Replace the output area's contents in one state update rather than capturing with
        # `with out:`: a captured display makes nbclient (nbgrader, myst-nb) send the widget's
        # state back on the shell channel mid-cell, and it then misses the cell's reply until
        # its timeout (30 s per explorer cell at timeout 30).
        try:
            shown = _display_output(render(**{k: c.value for k, c in controls.items()}))
        except Exception as err:  # show the student a message, not a traceback
            shown = {"output_type": "stream", "name": "stdout", "text": _explain(err) + "\n"}
        out.outputs = (shown,)

    for control in controls.values():
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox(list(controls.values())), out])


def _display_output(obj: Any) -> dict:
    """``obj`` as one display_data output, formatted as IPython would display it; a string as
    text (a message, not a Python value: no quote marks)."""
    if isinstance(obj, str):
        return {"output_type": "stream", "name": "stdout", "text": obj if obj.endswith("\n") else obj + "\n"}
    data, metadata = InteractiveShell.instance().display_formatter.format(obj)
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def _explain(err: Exception) -> str:
    """What an explorer shows instead of a traceback when its render function fails."""
    hint = guidance.message(err, err.__traceback__, where="explorer")
    if hint:
        return hint
    if isinstance(err, NotImplementedError):
        return "Nothing to show yet: write the function this explorer uses, then run this cell again."
    return f"Cannot show this ({type(err).__name__}): {err}"
