"""A candidate page's form posted as a browser posts it from the page: urlencoded, with the page's
own Origin (the cross-site rule refuses a post without Origin, Referer or the form's token), the
redirect not followed, so the test sees the 303 itself."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(
    url: str, fields: list[tuple[str, str]], headers: dict[str, str] | None = None
) -> tuple[int, Message, str]:
    """(status, headers, body) of the post; ``headers`` replace the default Origin when given."""
    if headers is None:
        parts = urllib.parse.urlsplit(url)
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}"}
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
        headers={"content-type": "application/x-www-form-urlencoded", **headers},
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
