"""``python -m pycapture``: the same as the ``pycapture`` command."""

from .cli.main import main

main()
