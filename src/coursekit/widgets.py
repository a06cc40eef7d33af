"""ipywidgets explorers over pure functions.

An explorer only *displays* what a plain function returns for the current
control values. Graded answers never live in a widget: nbgrader runs
notebooks headless, where nobody moves a slider.
"""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w
from IPython.display import display

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
        out.clear_output(wait=True)
        with out:
            try:
                display(render(**{k: c.value for k, c in controls.items()}))
            except Exception as err:  # show the student a message, not a traceback
                hint = guidance.message(err, err.__traceback__, where="explorer")
                if hint:
                    print(hint)
                elif isinstance(err, NotImplementedError):
                    print("Nothing to show yet: write the function this explorer uses, then run this cell again.")
                else:
                    print(f"Cannot show this ({type(err).__name__}): {err}")

    for control in controls.values():
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox(list(controls.values())), out])
