"""``python -m local_stack``: run the local stack in the foreground until SIGINT/SIGTERM.

Environment: PORT (default 3000), AWS_ENDPOINT_URL (default: an embedded moto server),
LOCAL_STACK_TEMPLATE (default template.yaml), LOCAL_STACK_NAME, WEBHOOK_SECRET_<PROVIDER>,
LOCAL_CONCURRENCY (execution environments per function, default 4), LOCAL_LAMBDA_PYTHON
(default .venv-lambda/bin/python).
Parameter overrides: ``--parameter-overrides Key=Value ...`` as with ``sam``; ``--warm``
cold-starts every function at start instead of on its first event.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .stack import LocalStack
from .template import DEFAULT_STACK_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_stack", description=__doc__.splitlines()[0])
    parser.add_argument("--project-root", default=".")
    parser.add_argument("--template", default=os.environ.get("LOCAL_STACK_TEMPLATE", "template.yaml"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000))
    parser.add_argument("--stack-name", default=os.environ.get("LOCAL_STACK_NAME", DEFAULT_STACK_NAME))
    parser.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--warm", action="store_true", help="cold-start every function now, not on first use")
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.parameter_overrides)

    stack = LocalStack(
        args.project_root,
        args.template,
        port=args.port,
        parameter_overrides=overrides,
        stack_name=args.stack_name,
        log_requests=True,
        warm=args.warm,
    )
    stopping = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    url = stack.start()
    created = ", ".join(stack.created) or "nothing (all resources existed)"
    print(f"local stack listening on {url}", flush=True)
    print(f"AWS endpoint {stack.endpoint_url}; created {created}", flush=True)
    print(f"operator API docs (Swagger UI) at {url}/docs", flush=True)
    print(f"advisers' console at {url}/console (the clock and outbox panels at {url}/_local/console)", flush=True)
    from .stack import LOCAL_ADMIN_EMAIL

    if stack.admin_password:
        print(
            f"console admin {LOCAL_ADMIN_EMAIL}, temporary password {stack.admin_password} (a new one is asked at sign-in)",
            flush=True,
        )
    else:
        print(f"console admin {LOCAL_ADMIN_EMAIL} has chosen a password (set at their first sign-in)", flush=True)
    while not stopping.wait(0.5):
        pass
    stack.stop()
    print("local stack stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
