"""coursekit: the small shared package of the Central Asia Monitor course.

Modules: ``data`` (load cited tables), ``regions`` (countries and colours),
``charts`` (Altair theme and builders), ``widgets`` (explorers), ``checks``
(messages for test cells).
"""

__version__ = "0.1.0"
