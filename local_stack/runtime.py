"""Runs the template's functions in this process, the way Lambda would.

Each function's module is imported once (its cold start) under a unique name, since every
handler file is called ``app.py``. Functions need different environment variables, so one
global lock serialises invocations and ``os.environ`` is swapped to the function's
environment for the duration of each import and call.
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

_INVOKE_LOCK = threading.RLock()


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
        return getattr(module, self.spec.handler)

    def load(self) -> None:
        with _INVOKE_LOCK, _environment(self.environment):
            if self._handler is None:
                self._handler = self._cold_start()

    def invoke(self, event: Any) -> Any:
        """Call the handler with ``event``; exceptions propagate to the caller (the 'service')."""
        with _INVOKE_LOCK, _environment(self.environment):
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
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        self._saved = {key: os.environ.get(key) for key in self._env}
        os.environ.update(self._env)

    def __exit__(self, *exc: object) -> None:
        for key, value in self._saved.items():
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
