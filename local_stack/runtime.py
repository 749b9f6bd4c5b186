"""Runs the template's functions in this process, the way Lambda would.

Each function's module is imported once (its cold start) under a unique name, since every
handler file is called ``app.py``. Like Lambda, one function handles one event at a time (a
lock per function) while different functions run at once: a function may call out to a
provider that calls another function back before answering (Graph validates a subscription's
notification URL that way). Each function's environment variables are overlaid on
``os.environ`` while it runs; the overlays of functions running at once are stacked, and a key
goes back to its old value only when no running function sets it any more. The template gives
a variable the same value in every function that declares it, so overlapping overlays agree.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .template import FunctionSpec

_ENV_LOCK = threading.Lock()
_ACTIVE: list[dict[str, str]] = []  # environments of the invocations in progress, oldest first
_BASE: dict[str, str | None] = {}  # what os.environ held for a key before any overlay set it


class LambdaContext:
    """The attributes and method handlers (and Powertools) read from the context."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Function:
    """One function: its spec, its environment and (after the cold start) its handler."""

    def __init__(self, spec: FunctionSpec, environment: dict[str, str]) -> None:
        self.spec = spec
        self.environment = environment
        self._handler: Callable[[Any, Any], Any] | None = None
        self.module: Any = None  # the handler's module, after the cold start
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        return self.spec.name

    def _cold_start(self) -> Callable[[Any, Any], Any]:
        path = self.spec.code_dir / (self.spec.module.replace(".", "/") + ".py")
        module_name = f"_local_stack_fn_{self.spec.logical_id}"
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(module_spec)
        # Lambda puts the code directory on sys.path; keep it there only while importing
        # so sibling modules of different functions do not shadow each other later.
        code_dir = str(self.spec.code_dir)
        sys.path.insert(0, code_dir)
        sys.modules[module_name] = module
        try:
            module_spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        finally:
            with contextlib.suppress(ValueError):
                sys.path.remove(code_dir)
        self.module = module
        return getattr(module, self.spec.handler)

    def load(self) -> None:
        with self._lock, _environment(self.environment):
            if self._handler is None:
                self._handler = self._cold_start()

    def invoke(self, event: Any) -> Any:
        """Call the handler with ``event``; exceptions propagate to the caller (the 'service')."""
        with self._lock, _environment(self.environment):
            if self._handler is None:
                self._handler = self._cold_start()
            return self._handler(event, LambdaContext(self.spec))


class _environment:
    """Overlay the function's variables on ``os.environ`` for the call, restore them after.

    Only the function's own keys change (never a clear-and-refill), so threads that read
    the environment meanwhile (moto, the HTTP server) never see it empty.
    """

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env

    def __enter__(self) -> None:
        with _ENV_LOCK:
            for key in self._env:
                if not any(key in active for active in _ACTIVE):
                    _BASE[key] = os.environ.get(key)
            _ACTIVE.append(self._env)
            os.environ.update(self._env)

    def __exit__(self, *exc: object) -> None:
        with _ENV_LOCK:
            index = max(i for i, active in enumerate(_ACTIVE) if active is self._env)
            del _ACTIVE[index]
            for key in self._env:
                holder = next((active for active in reversed(_ACTIVE) if key in active), None)
                if holder is not None:
                    os.environ[key] = holder[key]
                    continue
                value = _BASE.pop(key, None)
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def function_environment(spec: FunctionSpec, overrides: dict[str, str], region: str) -> dict[str, str]:
    """The template's variables for ``spec`` plus what Lambda itself sets, plus local overrides."""
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": f"{spec.module}.{spec.handler}",
        # X-Ray has no daemon here; Powertools' Tracer would otherwise try to reach it.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_XRAY_SDK_ENABLED": "false",
    }
    env.update(spec.environment)
    env.update(overrides)
    return env


class Runtime:
    """All functions of the stack, by name and by ARN."""

    def __init__(self, functions: list[Function], layer_paths: list[Path]) -> None:
        # This stack's layers come first, ahead of any an earlier stack in this process added.
        for path in reversed(layer_paths):
            while str(path) in sys.path:
                sys.path.remove(str(path))
            sys.path.insert(0, str(path))
        self.functions = {fn.name: fn for fn in functions}
        self.by_logical_id = {fn.spec.logical_id: fn for fn in functions}

    def load_all(self) -> None:
        for fn in self.functions.values():
            fn.load()

    def by_arn(self, arn: str) -> Function:
        # arn:aws:lambda:region:acct:function:name[:qualifier]; a bare name works too.
        parts = arn.split(":")
        name = parts[6] if len(parts) >= 7 and parts[5] == "function" else arn
        if name not in self.functions:
            raise KeyError(f"no local function for {arn}")
        return self.functions[name]
