"""`nudges` without a stack: the CSV checks (every bad row by line and field), the retries on
throttling and server errors, the pacing, and the signature on each request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.credentials import Credentials

from nudges_cli import importer
from nudges_cli.api import EXIT_SERVICE, Api, CliError


class _Session:
    """What Api needs of a botocore session: fixed credentials and region."""

    def __init__(self, credentials=None, region="eu-west-2"):
        self._credentials = credentials
        self._region = region

    def get_credentials(self):
        return self._credentials

    def get_config_variable(self, name):
        return self._region if name == "region" else None


def test_every_bad_row_is_reported_by_line_and_field(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "Email,Name,Phone,Timezone,Channels,Locale\n"
        'ada@example.org,Ada,+447700900001,Europe/London,"email, sms",en-GB\n'
        "not-an-email,X,,Europe/London,email,\n"
        "\n"
        "bob@example.org,Bob,,Mars/Olympus,email,\n"
        "cy@example.org,Cy,,Europe/London,sms,\n"
        "dee@example.org,Dee,,Europe/London,fax,\n"
        "ADA@example.org,Ada again,,Europe/London,email,\n"
        "eve@example.org,Eve,(0) 7700 900002,Europe/London,email,fr-FR\n"
        "fay@example.org,Fay,+1 (202) 555-0100,America/New_York,sms,en-US\n",
        encoding="utf-8",
    )
    good, bad = importer.read(path)
    assert [(r.line, r.candidate["email"]) for r in good] == [(2, "ada@example.org"), (10, "fay@example.org")]
    assert good[0].candidate["channels"] == ["email", "sms"]
    assert good[1].candidate["phone"] == "+12025550100"  # spaces, brackets and dashes dropped
    assert bad == [
        (3, "email: not an email address"),
        (5, "timezone: 'Mars/Olympus' is not an IANA time zone, like Europe/London"),
        (6, "phone: is required when channels include sms"),
        (7, "channels: 'fax' is not a channel (email, sms, whatsapp)"),
        (8, "email: already on line 2"),
        (9, "phone: must be in E.164 form, like +447700900123"),
    ]


def test_a_file_without_the_columns_or_not_there_is_refused(tmp_path):
    with pytest.raises(importer.FileError, match="cannot read"):
        importer.read(tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("email,zone,channels\n", encoding="utf-8")
    with pytest.raises(importer.FileError, match="no timezone column"):
        importer.read(wrong)
    extra = tmp_path / "extra.csv"
    extra.write_text("email,timezone,channels,shoe_size\n", encoding="utf-8")
    with pytest.raises(importer.FileError, match="unknown column shoe_size"):
        importer.read(extra)


def test_pacing_keeps_requests_apart():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pace = importer.Pace(10, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        pace.wait()
    assert slept == [0.1, 0.1, 0.1]


@pytest.fixture
def flaky():
    """A server answering 429, then 503, then 201, recording each request's headers."""
    answers = [(429, {"message": "Too Many Requests"}), (503, {"message": "Service Unavailable"})]
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(dict(self.headers.items()))
            status, body = answers.pop(0) if answers else (201, {"candidate_id": "c_1"})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_throttling_and_server_errors_are_retried_with_backoff_and_each_try_is_signed(flaky):
    url, seen = flaky
    waits = []
    api = Api(url, session=_Session(Credentials("AKIDTEST", "secret")), sleep=waits.append)
    reply = api.request("POST", "/candidates", {"email": "ada@example.org"})
    assert reply.status == 201 and reply.body == {"candidate_id": "c_1"}
    assert len(seen) == 3 and len(waits) == 2 and all(0 <= w <= 10 for w in waits)
    for headers in seen:
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
        assert "/eu-west-2/execute-api/aws4_request" in headers["Authorization"]


def test_giving_up_after_every_retry_says_to_try_later(flaky):
    url, _ = flaky
    api = Api(url, session=_Session(Credentials("AKIDTEST", "secret")), attempts=2, sleep=lambda s: None)
    with pytest.raises(CliError) as error:
        api.request("POST", "/candidates", {})
    assert error.value.code == EXIT_SERVICE and "after 2 tries: try again later" in error.value.message


def test_the_region_comes_from_the_api_host_first():
    api = Api("https://abc123.execute-api.ap-southeast-2.amazonaws.com", session=_Session(Credentials("a", "b")))
    assert api.region == "ap-southeast-2" and not api.local


def test_make_installs_nudges_into_the_venv_from_the_projects_own_package():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["project"]["scripts"] == {"nudges": "nudges_cli.cli:main"}
    assert project["tool"]["setuptools"]["packages"] == ["nudges_cli"]  # only the command line
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    makefile = (root / "Makefile").read_text()
    rule = makefile.split("\n$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "pip install --quiet --disable-pip-version-check -e ." in rule
    assert "demo: $(VENV)/.installed" in makefile and "test: $(VENV)/.installed" in makefile
