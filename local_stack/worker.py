"""One execution environment: the process the local stack starts for a function, as Lambda would.

Run by the stack as ``<.venv-lambda>/bin/python -I worker.py REQUEST_FD REPLY_FD CODE_DIR [LAYER_DIR ...]``
with an environment that holds only the template's variables for the function, what Lambda sets
and the local overrides. ``-I`` keeps the stack's own ``PYTHON*`` variables, the user's site and
this file's folder out; ``sys.path`` gets the function's code directory and the layers in front
of the interpreter's own (whose site-packages hold only the layer's requirements and boto3), as
Lambda puts ``/var/task`` and ``/opt/python`` there.

It imports the handler once (the init phase; ``Runtime.ImportModuleError`` and friends are
reported as Lambda's Python runtime reports them), then answers one invocation at a time.
Frames on both pipes are a 4-byte big-endian length and a JSON object. Only the standard library
is used here: this file must not depend on anything the function would not have.

An invocation carries the stack's virtual "now" (``null`` while the clock follows real time);
it is installed with ``nudges.clock.set_source``, the one seam the layer reads the time through.
"""

from __future__ import annotations

import importlib
import json
import os
import struct
import sys
import time
import traceback
from datetime import datetime

CLOCK_MODULE = "nudges.clock"  # the layer's clock; a function without it reads the real time
END_MARK = "\x00local-stack-end "  # never printed by a function; the stack drops these lines


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> dict | None:
    header = _read_exact(fd, 4)
    if header is None:
        return None
    body = _read_exact(fd, struct.unpack(">I", header)[0])
    return None if body is None else json.loads(body)


def send(fd: int, message: dict) -> None:
    data = json.dumps(message).encode()
    data = struct.pack(">I", len(data)) + data
    while data:
        data = data[os.write(fd, data) :]


def error_of(exc: BaseException, error_type: str | None = None, message: str | None = None) -> dict:
    trace = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": message if message is not None else str(exc),
        "stackTrace": [line.rstrip("\n") for line in trace[1:]],
    }


class Context:
    """The attributes and method handlers (and Powertools) read from Lambda's context."""

    def __init__(self, request: dict) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = request.get("arn", "")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or 128)
        self.aws_request_id = request.get("request_id", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(request.get("timeout_s") or 3)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(handler: str):
    """Import ``module.function`` as Lambda's Python runtime does; raise a reportable error dict."""
    module_name, _, function_name = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise _InitError(
            error_of(exc, "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
        ) from exc
    except SyntaxError as exc:
        raise _InitError(
            error_of(exc, "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}")
        ) from exc
    except Exception as exc:
        raise _InitError(error_of(exc)) from exc
    target = getattr(module, function_name, None)
    if target is None:
        raise _InitError(
            {
                "errorType": "Runtime.HandlerNotFound",
                "errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
                "stackTrace": [],
            }
        )
    return module, target


class _InitError(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(error["errorMessage"])
        self.error = error


def install_now(value: str | None) -> None:
    """The stack's "now" for this invocation (``None``: the real clock)."""
    try:
        clock = importlib.import_module(CLOCK_MODULE)
    except ImportError:
        return
    if value is None:
        clock.set_source(None)
        return
    instant = datetime.fromisoformat(value)
    clock.set_source(lambda: instant)


def main(argv: list[str]) -> int:
    request_fd, reply_fd, code_dir, *layers = argv
    rfd, wfd = int(request_fd), int(reply_fd)
    # Lambda's order: the task root, then the layers, then the runtime's own libraries.
    sys.path[:0] = [code_dir, *layers]
    os.chdir(code_dir)
    started = time.monotonic()
    try:
        module, handler = load_handler(os.environ["_HANDLER"])
    except _InitError as exc:
        print(f"[ERROR] {exc.error['errorType']}: {exc.error['errorMessage']}", file=sys.stderr, flush=True)
        send(wfd, {"type": "init_error", "error": exc.error})
        return 1
    send(wfd, {"type": "ready", "init_ms": round((time.monotonic() - started) * 1000, 1), "pid": os.getpid()})
    while True:
        request = receive(rfd)
        if request is None:
            return 0  # the stack closed the pipe: the environment is shut down
        if request.get("type") == "attribute":
            # The stack asks for a module-level callable's result (the API's OpenAPI document).
            build = getattr(module, request["name"], None)
            send(wfd, {"type": "result", "result": build() if callable(build) else None})
            continue
        install_now(request.get("now"))
        try:
            result = handler(request["event"], Context(request))
            reply = {"type": "result", "result": result}
        except Exception as exc:
            error = error_of(exc)
            print(f"[ERROR] {error['errorType']}: {error['errorMessage']}", file=sys.stderr)
            traceback.print_exception(exc, file=sys.stderr)
            reply = {"type": "error", "error": error}
        # A mark on each stream after the invocation's lines: the stack hands the result on
        # only once it has passed every line before it to the stack's log (Lambda's END line).
        for stream in (sys.stdout, sys.stderr):
            stream.write(f"{END_MARK}{request.get('request_id', '')}\n")
            stream.flush()
        try:
            send(wfd, reply)
        except (TypeError, ValueError) as exc:  # a result JSON cannot carry
            send(wfd, {"type": "error", "error": error_of(exc, "Runtime.MarshalError")})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
