"""What every console route shares: the request's cookies and form, the session check
(``signed_in``), CSRF and same-origin checks, and the HTML, redirect and CSV answers.

The console function's ``app.py`` holds the sign-in routes and includes one Powertools ``Router``
per part of the console (``console_advisers``, ``console_candidates``, ``console_reports``, ...),
each decorating its routes with ``signed_in``. The helpers read the request being handled from
``Router.current_event``, which the including resolver sets for every request.
"""

from __future__ import annotations

import csv
import hmac
import io
import os
import urllib.parse
from email import policy as email_policy
from email.parser import BytesParser
from functools import wraps
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from nudges import config, console_pages, console_wiring, pages
from nudges.domain.advisers import EVERYONE
from nudges.http import raw_body
from nudges.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

    from nudges.services.console_auth import Current

SESSION_COOKIE = "nudges_console"
PENDING_COOKIE = "nudges_console_signin"
FORM_COOKIE = "nudges_console_form"  # the sign-in form's double-submit CSRF token
COOKIE_PATH = "/console"
ZONES = [*sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))), "UTC"]


def event() -> APIGatewayProxyEventV2:
    """The request being handled (set by the resolver for every request)."""
    return BaseRouter.current_event  # type: ignore[return-value]


def query(name: str) -> str:
    return event().get_query_string_value(name, "") or ""


def cookie(name: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        name, value, path=COOKIE_PATH, secure=True, http_only=True, max_age=max_age, same_site=SameSite.LAX_MODE
    )


def cookies() -> dict[str, str]:
    jar: dict[str, str] = {}
    for raw in event().cookies or []:
        name, _, value = raw.partition("=")
        jar.setdefault(name.strip(), value.strip())
    return jar


def html(status: int, body: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(
        status_code=status, content_type=content_types.TEXT_HTML, body=body, headers=pages.HEADERS, cookies=cookies
    )


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(status_code=303, headers={**pages.HEADERS, "Location": location}, body="", cookies=cookies)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download; a cell a spreadsheet would run as a formula is quoted as text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in cells])
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=out.getvalue(),
        headers={**pages.HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def form() -> dict[str, str]:
    return {k: v[0] for k, v in form_lists().items()}


def form_lists() -> dict[str, list[str]]:
    """The form's fields with every value given (checkboxes, repeated rows), at most
    ``http.MAX_BODY_BYTES``: urlencoded, or multipart/form-data (a file's content as text)."""
    raw = raw_body(event())
    content_type = next((v for k, v in (event().headers or {}).items() if k.lower() == "content-type"), "")
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart(raw, content_type)
    return urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)


def _multipart(raw: bytes, content_type: str) -> dict[str, list[str]]:
    """multipart/form-data read by the standard library's MIME parser (RFC 7578 is MIME)."""
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = BytesParser(policy=email_policy.HTTP).parsebytes(head + raw)
    fields: dict[str, list[str]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            data = part.get_payload(decode=True)
            text = data.decode("utf-8-sig", "replace") if isinstance(data, bytes) else ""
            fields.setdefault(name, []).append(text)
    return fields


def same_site() -> bool:
    """A form of this origin's own page (Origin names this host; never a cross-site fetch)."""
    headers = {k.lower(): v for k, v in (event().headers or {}).items()}
    if headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = headers.get("origin")
    if not origin or origin == "null":
        return True
    base = config.public_base_url(event().request_context.domain_name)
    return urllib.parse.urlsplit(origin).netloc in {headers.get("host", ""), urllib.parse.urlsplit(base).netloc}


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def panels() -> str:
    """The local stack's clock and outbox panels (a deployed stack has none)."""
    return os.environ.get("LOCAL_PANELS_URL") or ""


def zone(current: Current) -> str:
    return console_wiring.console_sessions().time_zone(current.adviser.sub) or "UTC"


def refused_form(current: Current | None = None) -> Response:
    text = "This form has expired or did not come from this console: go back, reload the page and try again."
    return html(
        403,
        console_pages.message_page(
            config.branding(),
            "Not sent",
            text,
            adviser=current.adviser if current else None,
            csrf=current.session.csrf if current else "",
        ),
    )


def signed_in(roles: frozenset[str] = EVERYONE) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A console route: a verified session with one of ``roles`` (else the sign-in page or 403);
    a POST also its session's CSRF token and this origin. The route gets ``current`` (and, for a
    POST, the form) before its path parameters."""

    def decorate(route: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(route)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            current = console_wiring.console_auth().current(cookies().get(SESSION_COOKIE, ""))
            if current is None:
                return redirect(console_pages.SIGN_IN, [cookie(SESSION_COOKIE, "", 0)])
            if not current.adviser.may(roles):
                logger.info("console route refused by role", extra={"adviser": current.adviser.sub})
                return html(
                    403,
                    console_pages.message_page(
                        config.branding(),
                        "Not for your role",
                        "This page is for admins only.",
                        adviser=current.adviser,
                        csrf=current.session.csrf,
                    ),
                )
            if event().request_context.http.method == "POST":
                fields = form()
                if not same_site() or not same(fields.get("csrf", ""), current.session.csrf):
                    return refused_form(current)
                return route(current, fields, *args, **kwargs)
            return route(current, *args, **kwargs)

        return wrapper

    return decorate
