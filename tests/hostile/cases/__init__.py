"""The hostile cases, one module per category; importing the package registers them all."""

from . import api, changing, concurrency, corrupt, files, selftest, signals, sizes, text, types  # noqa: F401
