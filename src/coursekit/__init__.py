"""coursekit: the small shared package of the Central Asia Monitor course.

Modules: ``data`` (load cited tables), ``regions`` (countries and colours),
``charts`` (Altair theme and builders), ``widgets`` (explorers), ``checks``
(messages for test cells), ``guidance`` (an unfinished part says which part
to do, not a traceback: registered with IPython on import).
"""

__version__ = "0.1.0"

from . import guidance as _guidance

_guidance.install()
