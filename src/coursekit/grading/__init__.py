"""Grading a whole class with nbgrader: pre-validation of submissions, a sandboxed
kernel, parallel workers, and reports. ``coursekit grade`` and ``coursekit report``
are the entry points (see :mod:`coursekit.grading.runner` and :mod:`.report`)."""
