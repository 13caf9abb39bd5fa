"""What the tests share: where things are (:mod:`support.env`), the command and outside tools as
subprocesses (:mod:`support.commands`), network namespaces (:mod:`support.netns`), fakes of Windows
(:mod:`support.windows_fakes`), damaged files (:mod:`support.hostile`), fuzzing settings and scripts.

``tests/`` is on ``sys.path`` (pyproject's pytest ``pythonpath``), so a test imports ``support.env``;
fixtures stay in ``tests/conftest.py``.
"""
