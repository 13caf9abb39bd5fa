"""``python -m pycapture``: the same as the ``pycapture`` command."""

from .cli import main

main()
