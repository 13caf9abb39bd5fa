"""The first name of :mod:`pycapture.craft`: ``from pycapture import build`` still works."""

from .craft import *  # noqa: F403
from .craft import __all__  # noqa: F401
