"""What a local stack does to this process's imports, in one place: its layers put first on
``sys.path``, the modules of their packages imported earlier set aside (so each stack starts
cold), the layer's clock pointed at the stack's virtual clock; and all of it undone when the last
stack of the process stops.

The stack's own process imports the layer too (the console reads through it); its functions run
in processes of their own (``runtime``), which this does not touch.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

RUNNING: set[int] = set()  # ids of the stacks serving in this process


def _layer_packages(paths: list[Path]) -> set[str]:
    names = set()
    for path in paths:
        if path.is_dir():
            for child in path.iterdir():
                if child.suffix == ".py" or (child / "__init__.py").exists():
                    names.add(child.stem if child.suffix == ".py" else child.name)
    return names


class LayerImports:
    """One stack's layers in this process: ``load`` at its start, ``unload`` at its stop."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self._added: list[Path] = []  # put on sys.path by this stack, taken off at stop
        self._displaced: dict[str, Any] = {}  # set aside at start, put back at stop
        self._loaded = False
        self._clock_module: Any = None
        self._previous_clock_source: Any = None
        self._clock_source: Callable[[], datetime] | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        """The layers go first on ``sys.path``; when no other stack is running in this process,
        the modules of their packages that were imported before (by an earlier, stopped stack, or
        by the tests) are set aside, so this stack starts cold (those modules' cached clients and
        settings point at another endpoint, or come from another project's layer of the same
        name)."""
        self._added = [path for path in self.paths if str(path) not in sys.path]
        names = _layer_packages(self.paths)
        self._displaced = {}
        for name in list(sys.modules) if not RUNNING else []:
            if name.split(".", 1)[0] in names:
                self._displaced[name] = sys.modules.pop(name)
        for path in reversed(self.paths):
            while str(path) in sys.path:
                sys.path.remove(str(path))
            sys.path.insert(0, str(path))
        self._loaded = True

    def install_clock(self, now: Callable[[], datetime]) -> None:
        """The layer's clock (``nudges.clock``) reads the stack's virtual clock in this process."""
        try:
            import nudges.clock as clock_module
        except ImportError:
            print("[local-stack] nudges.clock not importable; functions use the real clock", file=sys.stderr)
            return
        self._previous_clock_source = getattr(clock_module, "_source", None)
        clock_module.set_source(now)
        self._clock_module = clock_module
        self._clock_source = now

    def unload(self) -> None:
        """The clock handed back to whatever was installed before (another stack in this
        process) unless someone replaced ours meanwhile; once the last stack stops, the folders
        put on ``sys.path`` taken off, the modules its functions imported forgotten, and those
        set aside at its start put back. Code imported before the stack (a test module, the
        bench) and what it imports afterwards then agree again: the same exception classes, the
        same package (not a test's fake layer of the same name)."""
        if self._clock_module is not None:
            if getattr(self._clock_module, "_source", None) == self._clock_source:
                self._clock_module.set_source(self._previous_clock_source)
            self._clock_module = None
        if not self._loaded or RUNNING:
            return
        for path in self._added:
            while str(path) in sys.path:
                sys.path.remove(str(path))
        names = _layer_packages(self.paths)
        for name in list(sys.modules):
            if name.split(".", 1)[0] in names:
                del sys.modules[name]
        sys.modules.update(self._displaced)
        self._added, self._displaced, self._loaded = [], {}, False
