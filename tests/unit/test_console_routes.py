"""Every route of the advisers' console (functions/console/app.py and the Routers it includes)
checks its session through ``console_web.signed_in``, but the sign-in form's own; and every
``/console/advisers`` route is for admins only."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
OPEN = {
    ("GET", "/console"),
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("POST", "/console/sign-in/answer"),
}


def _console_routes():
    spec = importlib.util.spec_from_file_location("console_app", ROOT / "functions" / "console" / "app.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, {"TABLE_NAME": "t", "POWERTOOLS_SERVICE_NAME": "test"}):
        spec.loader.exec_module(module)
    return [
        (method, route.rule.pattern, route.func)
        for route in [*module.app._static_routes, *module.app._dynamic_routes]
        for method in [route.method]
    ]


def _roles(func):
    """The roles ``signed_in`` was given (kept in the wrapper's closure), or None for an open route."""
    if not hasattr(func, "__wrapped__"):
        return None
    cells = {c.cell_contents for c in func.__closure__ or () if isinstance(c.cell_contents, frozenset)}
    return cells.pop() if cells else None


def test_every_console_route_but_sign_in_needs_a_session_and_the_advisers_pages_an_admin():
    routes = _console_routes()
    paths = {pattern for _, pattern, _ in routes}
    assert any("advisers" in p for p in paths) and any("join" in p for p in paths)
    for method, pattern, func in routes:
        opened = pattern.replace("^", "").replace("$", "")
        if (method, opened) in OPEN:
            continue
        roles = _roles(func)
        assert roles, f"{method} {opened} is not behind signed_in"
        if opened.startswith("/console/advisers") or opened.startswith("/console/audit"):
            assert roles == frozenset({"admins"}), f"{method} {opened} is open to advisers"
