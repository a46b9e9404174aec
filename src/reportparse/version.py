"""The version of reportparse, in a room of its own: the history store keys a reusable result on
it, and the batch engine and the store may not import the package's `__init__`."""

__version__ = "0.1.0"
