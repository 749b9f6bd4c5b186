"""Runs the template's functions as Lambda runs them: each in execution environments of its own.

An execution environment is a process (``local_stack/worker.py`` under the ``.venv-lambda``
interpreter, whose site-packages hold only the layer's requirements and the runtime's boto3).
It is started when its function is first invoked (a cold start, logged as such), imports the
handler once, then serves one event at a time while it stays warm. Events for one function
that arrive together get more environments, up to a per-function cap (``LOCAL_CONCURRENCY``,
default 4); a further event waits for one to come free, as a throttled async event would.

Its environment is only what Lambda would give: the template's variables for the function
(Globals merged), the variables Lambda itself sets, and the local overrides (the AWS endpoint,
the credentials, ``PUBLIC_BASE_URL`` and the provider URLs): nothing else of the stack's own
environment. Each invocation carries the stack's virtual "now".

Failures look like Lambda's and never stop the stack: an init failure (``Runtime.ImportModuleError``,
say) fails that invocation and the next one starts a new environment; an invocation that runs
past the function's ``Timeout`` has its process killed (``Sandbox.Timedout``); an unhandled
exception is the function's error (``FunctionError``), its traceback in the function's log.

The functions' stdout and stderr (their structured log lines) go to the stack's, line by line,
and to whatever listeners are registered (``Runtime.add_log_listener``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from .template import FunctionSpec

REPO = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("worker.py")
LAMBDA_VENV = REPO / ".venv-lambda"
DEFAULT_CONCURRENCY = 4
INIT_TIMEOUT_S = 10.0  # Lambda's init phase limit for on-demand functions
_STOP_GRACE_S = 2.0
_LOG_DRAIN_S = 2.0  # how long an answer waits for the log lines written before it
END_MARK = b"\x00local-stack-end "  # worker.py's END_MARK


def lambda_python() -> Path:
    """The interpreter functions run with: ``LOCAL_LAMBDA_PYTHON`` or the repository's ``.venv-lambda``."""
    configured = os.environ.get("LOCAL_LAMBDA_PYTHON")
    python = Path(configured) if configured else LAMBDA_VENV / "bin" / "python"
    if not python.exists():
        raise RuntimeError(
            f"no Lambda interpreter at {python}: run `make .venv-lambda/.installed` (the layer's "
            "requirements and the runtime's boto3, nothing else), or set LOCAL_LAMBDA_PYTHON"
        )
    return python


def concurrency_cap() -> int:
    """Execution environments per function at most: ``LOCAL_CONCURRENCY`` or 4."""
    value = os.environ.get("LOCAL_CONCURRENCY") or ""
    try:
        return max(1, int(value)) if value else DEFAULT_CONCURRENCY
    except ValueError as exc:
        raise ValueError(f"LOCAL_CONCURRENCY must be a whole number, not {value!r}") from exc


def lambda_environment(spec: FunctionSpec, template_env: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """A function process's whole environment: the template's variables for it, what Lambda
    itself sets (its reserved names win, as Lambda refuses them in a template), then the local
    overrides. Nothing else: the stack's own environment never reaches a function."""
    region = overrides.get("AWS_REGION") or overrides.get("AWS_DEFAULT_REGION") or "us-east-1"
    env = dict(template_env)
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": f"{spec.module}.{spec.handler}",
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        }
    )
    env.update(overrides)
    return env


# Overrides every function gets locally, whatever the stack's environment: no X-Ray daemon runs
# here, and the developer's ~/.aws files (profiles, retry modes) are no part of a Lambda.
LOCAL_FIXED_OVERRIDES = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_XRAY_SDK_ENABLED": "false",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


class FunctionError(Exception):
    """An invocation failed as Lambda reports it: ``errorType``, ``errorMessage``, ``stackTrace``."""

    def __init__(self, function_name: str, error: dict[str, Any]) -> None:
        self.function_name = function_name
        self.error_type = str(error.get("errorType") or "Runtime.Unknown")
        self.error_message = str(error.get("errorMessage") or "")
        self.stack_trace = list(error.get("stackTrace") or [])
        super().__init__(f"{function_name}: {self.error_type}: {self.error_message}")


@dataclass
class RuntimeConfig:
    """What every execution environment of the stack shares."""

    python: Path
    layer_paths: list[Path]
    concurrency: int = DEFAULT_CONCURRENCY
    now: Callable[[], str | None] = lambda: None  # the stack's virtual now (None: real time)
    listeners: list[Callable[[str, str, str], None]] = field(default_factory=list)
    echo: bool = True  # the functions' lines to the stack's stdout and stderr

    def emit(self, function_name: str, stream: str, line: str) -> None:
        target = sys.stdout if stream == "stdout" else sys.stderr
        with contextlib.suppress(ValueError, OSError):  # a closed stream at interpreter exit
            if self.echo:
                target.write(line if line.endswith("\n") else line + "\n")
                target.flush()
        for listener in list(self.listeners):
            with contextlib.suppress(Exception):
                listener(function_name, stream, line)


def _log(message: str) -> None:
    print(f"[local-stack] {message}", file=sys.stderr, flush=True)


class _Environment:
    """One worker process and the two pipes the stack talks to it through."""

    _ids = itertools.count(1)

    def __init__(self, function: Function) -> None:
        self.function = function
        self.id = next(self._ids)
        self.environment = dict(function.environment)  # what it was started with
        config = function.config
        request_read, self._request = os.pipe()
        self._reply, reply_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    str(config.python),
                    "-I",
                    str(WORKER),
                    str(request_read),
                    str(reply_write),
                    str(function.spec.code_dir),
                    *(str(p) for p in config.layer_paths),
                ],
                env=self.environment,
                cwd=str(function.spec.code_dir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(request_read, reply_write),
                close_fds=True,
            )
        except BaseException:
            for fd in (self._request, self._reply):
                os.close(fd)
            raise
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._marks: dict[str, str] = {}
        self._marks_changed = threading.Condition()
        self._pumps = [
            threading.Thread(target=self._pump, args=(self.process.stdout, "stdout"), daemon=True),
            threading.Thread(target=self._pump, args=(self.process.stderr, "stderr"), daemon=True),
        ]
        for pump in self._pumps:
            pump.start()
        self.alive = True

    def _pump(self, stream: IO[bytes] | None, name: str) -> None:
        if stream is None:
            return
        for raw in iter(stream.readline, b""):
            before, mark, request_id = raw.partition(END_MARK)
            if before:  # (a line the function left without its newline ends at the mark)
                self.function.config.emit(self.function.name, name, before.decode("utf-8", "replace"))
            if mark:
                with self._marks_changed:
                    self._marks[name] = request_id.strip().decode()
                    self._marks_changed.notify_all()
        stream.close()

    def _logs_passed(self, request_id: str) -> None:
        """Wait (briefly) until both streams have been read up to the invocation's end mark."""
        deadline = time.monotonic() + _LOG_DRAIN_S
        with self._marks_changed:
            while any(self._marks.get(s) != request_id for s in ("stdout", "stderr")):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._marks_changed.wait(remaining)

    # ------------------------------------------------------------------ frames

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        data = struct.pack(">I", len(data)) + data
        while data:
            data = data[os.write(self._request, data) :]

    def _read_exact(self, size: int, deadline: float) -> bytes | None:
        """``size`` bytes, or None when the process ended first; TimeoutError past ``deadline``."""
        chunks: list[bytes] = []
        while size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._reply], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._reply, size)
            if not chunk:
                return None
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        header = self._read_exact(4, deadline)
        if header is None:
            return None
        body = self._read_exact(struct.unpack(">I", header)[0], deadline)
        return None if body is None else json.loads(body)

    # ------------------------------------------------------------------ phases

    def wait_ready(self) -> dict[str, Any]:
        """The init phase: the handler imported, or a FunctionError as Lambda reports init failures."""
        name = self.function.name
        try:
            message = self._receive(time.monotonic() + max(INIT_TIMEOUT_S, self.function.spec.timeout_s))
        except TimeoutError:
            self.kill()
            raise FunctionError(name, {"errorType": "Sandbox.Timedout", "errorMessage": "init timed out"}) from None
        if message is None or message.get("type") != "ready":
            self.kill()
            error = (message or {}).get("error") or {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: init Error: Runtime exited with error: exit status {self.process.poll()}",
            }
            raise FunctionError(name, error)
        return message

    def call(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        name = self.function.name
        try:
            self._send(message)
            reply = self._receive(time.monotonic() + timeout_s)
        except TimeoutError:
            self.kill()
            error = {"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {timeout_s:.2f} seconds"}
            raise FunctionError(name, error) from None
        except OSError as exc:  # the pipe broke: the process is gone
            self.kill()
            raise FunctionError(name, {"errorType": "Runtime.ExitError", "errorMessage": str(exc)}) from exc
        if reply is None:
            status = self.process.wait()
            self.kill()
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"Runtime exited with error: exit status {status}",
            }
            raise FunctionError(name, error)
        if message.get("type") == "invoke":
            self._logs_passed(message["request_id"])
        return reply

    def kill(self) -> None:
        self.alive = False
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self._close()

    def stop(self) -> None:
        """Shut down as Lambda does an idle environment: end of input, then a kill if need be."""
        self.alive = False
        with contextlib.suppress(OSError):
            os.close(self._request)
        self._request = -1
        try:
            self.process.wait(_STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._close()

    def _close(self) -> None:
        for attr in ("_request", "_reply"):
            fd = getattr(self, attr)
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, attr, -1)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


class Function:
    """One function: its spec, its environment variables and its pool of execution environments.

    ``environment`` may be changed (as ``UpdateFunctionConfiguration`` would): environments
    started with the old one are retired when they next come free, and new ones start.
    """

    def __init__(self, spec: FunctionSpec, environment: dict[str, str], config: RuntimeConfig) -> None:
        self.spec = spec
        self.environment = environment
        self.config = config
        self._idle: list[_Environment] = []
        self._running = 0  # environments started or starting
        self._cond = threading.Condition()
        self._closed = False
        self.stats: Counter[str] = Counter()  # cold_starts, invocations, errors, timeouts

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def environments(self) -> int:
        return self._running

    # ------------------------------------------------------------------ pool

    def _acquire(self) -> _Environment:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError(f"{self.name}: the stack is stopping")
                while self._idle:
                    env = self._idle.pop()
                    if env.alive and env.process.poll() is None and env.environment == self.environment:
                        return env
                    self._running -= 1
                    threading.Thread(target=env.stop, daemon=True).start()
                if self._running < self.config.concurrency:
                    self._running += 1
                    break
                self._cond.wait()
        try:
            return self._cold_start()
        except BaseException:
            with self._cond:
                self._running -= 1
                self._cond.notify()
            raise

    def _release(self, env: _Environment) -> None:
        with self._cond:
            if env.alive and not self._closed:
                self._idle.append(env)
            else:
                self._running -= 1
                if env.alive:
                    threading.Thread(target=env.stop, daemon=True).start()
            self._cond.notify()

    def _cold_start(self) -> _Environment:
        started = time.monotonic()
        env = _Environment(self)
        self.stats["cold_starts"] += 1
        try:
            ready = env.wait_ready()
        except FunctionError as exc:
            self.stats["init_errors"] += 1
            _log(f"{self.name}: cold start failed: {exc.error_type}: {exc.error_message}")
            raise
        _log(
            f"{self.name}: cold start (environment {env.id}, pid {ready.get('pid')}, "
            f"{self._running} of {self.config.concurrency}; init {ready.get('init_ms')} ms, "
            f"{(time.monotonic() - started) * 1000:.0f} ms in all)"
        )
        return env

    # ------------------------------------------------------------------ calls

    def load(self) -> None:
        """Start one environment now (``--warm``); an init failure is logged, not raised."""
        with contextlib.suppress(FunctionError):
            self._release(self._acquire())

    def invoke(self, event: Any) -> Any:
        """Run ``event`` in a free environment; the handler's result, or FunctionError."""
        self.stats["invocations"] += 1
        env = self._acquire()
        request = {
            "type": "invoke",
            "event": event,
            "now": self.config.now(),
            "request_id": str(uuid.uuid4()),
            "arn": self.spec.arn,
            "timeout_s": self.spec.timeout_s,
        }
        try:
            reply = env.call(request, self.spec.timeout_s)
        except FunctionError as exc:
            self.stats["timeouts" if exc.error_type == "Sandbox.Timedout" else "errors"] += 1
            _log(f"{self.name}: {exc.error_type}: {exc.error_message} (environment {env.id} ended)")
            raise
        finally:
            self._release(env)
        if reply.get("type") == "error":
            self.stats["errors"] += 1
            error = FunctionError(self.name, reply.get("error") or {})
            _log(f"{self.name}: {error.error_type}: {error.error_message}")
            raise error
        return reply.get("result")

    def attribute(self, name: str) -> Any:
        """What the handler module's ``name()`` returns, built in an environment of the function
        (``None`` when the module has no such callable): the API's OpenAPI document, say."""
        env = self._acquire()
        try:
            reply = env.call({"type": "attribute", "name": name}, max(INIT_TIMEOUT_S, self.spec.timeout_s))
        finally:
            self._release(env)
        return reply.get("result")

    def retire(self) -> None:
        """End the idle environments (the next event cold-starts), as Lambda does after a while."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._running -= len(idle)
            self._cond.notify_all()
        for env in idle:
            env.stop()

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._running -= len(idle)
            self._cond.notify_all()
        for env in idle:
            env.stop()


class Runtime:
    """All functions of the stack, by name, logical id and ARN."""

    def __init__(self, functions: list[Function], config: RuntimeConfig) -> None:
        self.config = config
        self.functions = {fn.name: fn for fn in functions}
        self.by_logical_id = {fn.spec.logical_id: fn for fn in functions}

    def add_log_listener(self, listener: Callable[[str, str, str], None]) -> None:
        """``listener(function_name, "stdout"|"stderr", line)`` for every line a function writes."""
        self.config.listeners.append(listener)

    def remove_log_listener(self, listener: Callable[[str, str, str], None]) -> None:
        with contextlib.suppress(ValueError):
            self.config.listeners.remove(listener)

    def load_all(self) -> None:
        """Cold-start one environment of every function, all at once (``--warm``)."""
        threads = [threading.Thread(target=fn.load, daemon=True) for fn in self.functions.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def by_arn(self, arn: str) -> Function:
        # arn:aws:lambda:region:acct:function:name[:qualifier]; a bare name works too.
        parts = arn.split(":")
        name = parts[6] if len(parts) >= 7 and parts[5] == "function" else arn
        if name not in self.functions:
            raise KeyError(f"no local function for {arn}")
        return self.functions[name]

    def shutdown(self) -> None:
        threads = [threading.Thread(target=fn.shutdown, daemon=True) for fn in self.functions.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
