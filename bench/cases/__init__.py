"""Benchmark definitions: every module in this package is imported, in name order.

Add a module here with `@benchmark("name")` functions; see bench/README.md.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}")
