"""`nudges`, the operator's command line, against the local stack through its HTTP routes, every
request passing a recording proxy: add, find (any case), list (paged, each candidate once),
update, delete, a CSV import run twice, interviews, messages, outcome, and the SigV4 signature."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = ROOT / ".venv" / "bin" / "nudges"
COMMAND = [str(INSTALLED)] if INSTALLED.exists() else [sys.executable, "-m", "nudges_cli"]


class _Recorder(BaseHTTPRequestHandler):
    """Forwards every request to the stack and keeps its method, path and headers."""

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))  # type: ignore[attr-defined]
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(
            self.server.target + self.path,  # type: ignore[attr-defined]
            data=body if self.command in ("POST", "PATCH", "PUT") else None,
            method=self.command,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                status, data = reply.status, reply.read()
        except urllib.error.HTTPError as exc:
            status, data = exc.code, exc.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxy(stack):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.target = stack.base_url  # type: ignore[attr-defined]
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def nudges(proxy, tmp_path):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIDOPERATOR",
        "AWS_SECRET_ACCESS_KEY": "operator-secret",
        "AWS_REGION": "eu-west-2",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        env.pop(name, None)
    url = f"http://127.0.0.1:{proxy.server_address[1]}"

    def run(*args: str, extra_env: dict[str, str] | None = None, url_args: bool = True):
        where = ["--api-url", url] if url_args else []
        return subprocess.run(
            [*COMMAND, *args, *where], capture_output=True, text=True, env={**env, **(extra_env or {})}, timeout=300
        )

    return run


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_find_update_get_delete(nudges, proxy, unique):
    email = f"Grace.{unique}@Example.org"
    added = _json(
        nudges("candidates", "add", "--email", email, "--timezone", "Europe/London", "--channels", "email", "--json")
    )
    candidate_id = added["candidate_id"]
    assert added["email"] == email.lower()

    # The look-up finds the candidate by the address in any case.
    for spelling in (email.upper(), email.lower()):
        assert _json(nudges("candidates", "find", "--email", spelling, "--json"))["candidate_id"] == candidate_id
    missing = nudges("candidates", "find", "--email", f"nobody-{unique}@example.org")
    assert missing.returncode == 1 and missing.stderr.startswith("nudges: 404")
    assert len(missing.stderr.strip().splitlines()) == 1

    changed = _json(nudges("candidates", "update", candidate_id, "--name", "Grace Hopper", "--json"))
    assert changed["name"] == "Grace Hopper"
    card = nudges("candidates", "get", candidate_id)
    assert card.returncode == 0 and "Grace Hopper" in card.stdout and candidate_id in card.stdout

    # A new address: the old one stays an alias (still finds them) and shows as an earlier email.
    work = f"grace.{unique}@work.example"
    moved = _json(nudges("candidates", "update", candidate_id, "--email", work, "--json"))
    assert (moved["email"], moved["email_aliases"]) == (work, [email.lower()])
    assert _json(nudges("candidates", "find", "--email", email, "--json"))["candidate_id"] == candidate_id
    [earlier] = [line for line in nudges("candidates", "get", candidate_id).stdout.splitlines() if "earlier" in line]
    assert earlier.split() == ["earlier", "emails:", email.lower()]

    # Registering the address again with other details names the candidate it belongs to.
    again = nudges("candidates", "add", "--email", email, "--timezone", "Asia/Tokyo", "--channels", "email")
    assert again.returncode == 1 and "409" in again.stderr and candidate_id in again.stderr

    refused = nudges("candidates", "delete", candidate_id)  # no terminal to ask on: --yes needed
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert nudges("candidates", "delete", candidate_id, "--yes").returncode == 0
    gone = nudges("candidates", "get", candidate_id)
    assert gone.returncode == 1 and "404" in gone.stderr

    # Every request went out signed with SigV4 for execute-api in the caller's region.
    assert proxy.seen
    for _method, _path, headers in proxy.seen:
        auth = headers.get("Authorization", "")
        assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDOPERATOR/"), auth
        assert "/eu-west-2/execute-api/aws4_request" in auth
        assert "SignedHeaders=" in auth and "x-amz-date" in auth and "Signature=" in auth
        assert headers.get("X-Amz-Date")


def test_a_csv_import_run_twice_creates_nothing_the_second_time(nudges, tmp_path, unique, client):
    path = tmp_path / "candidates.csv"
    path.write_text(
        "email,name,phone,timezone,channels,locale\n"
        f"ada.{unique}@example.org,Ada Lovelace,+447700900001,Europe/London,email;sms,en-GB\n"
        f"alan.{unique}@example.org,Alan Turing,,Europe/London,email,\n"
        f"bad.{unique}@example.org,Bad Phone,07700 900002,Europe/London,email;sms,\n"
        f"kat.{unique}@example.org,Katherine Johnson,+12025550100,America/New_York,sms,en-US\n",
        encoding="utf-8",
    )
    first = nudges("candidates", "import", str(path))
    assert first.returncode == 1
    assert first.stdout.strip() == "3 created, 0 already registered, 1 failed"
    assert f"{path}: line 4: phone: must be in E.164 form" in first.stderr

    second = nudges("candidates", "import", str(path))
    assert second.returncode == 1
    assert second.stdout.strip() == "0 created, 3 already registered, 1 failed"
    assert "line 4: phone" in second.stderr

    for name in ("ada", "alan", "kat"):
        assert client.request("GET", f"/candidates?email={name}.{unique}@example.org").status == 200
    assert client.request("GET", f"/candidates?email=bad.{unique}@example.org").status == 404

    # A row whose address is registered with other details is said so, with the command to change them.
    path.write_text(path.read_text().replace("Alan Turing", "Alan M. Turing"), encoding="utf-8")
    changed = nudges("candidates", "import", str(path))
    assert changed.stdout.strip() == "0 created, 3 already registered, 1 failed"
    assert "line 3: already registered, but c_" in changed.stderr and "has other name" in changed.stderr

    # Fixed, the bad row goes in and the rest stay as they are.
    path.write_text(path.read_text().replace("07700 900002", "+447700900002"), encoding="utf-8")
    third = _json(nudges("candidates", "import", str(path), "--json"))
    assert (third["created"], third["already_registered"], third["failed"]) == (1, 3, 0)


def test_a_file_with_wrong_columns_is_refused_before_anything_is_sent(nudges, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("mail,zone\nada@example.org,Europe/London\n", encoding="utf-8")
    result = nudges("candidates", "import", str(path))
    assert result.returncode == 2 and "no email, timezone column" in result.stderr  # channels defaults to email


def test_the_listing_pages_and_shows_each_candidate_once(nudges, tmp_path, unique):
    path = tmp_path / "many.csv"
    rows = [f"p{i}.{unique}@example.org,,,Europe/London,email," for i in range(105)]
    path.write_text("email,name,phone,timezone,channels,locale\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert (
        nudges("candidates", "import", str(path), "--rate", "0").stdout.strip()
        == "105 created, 0 already registered, 0 failed"
    )

    everyone = _json(nudges("candidates", "list", "--json"))["candidates"]
    ids = [c["candidate_id"] for c in everyone]
    assert len(ids) == len(set(ids)) >= 105  # each once, across pages
    mine = [c["email"] for c in everyone if c["email"].endswith(f".{unique}@example.org")]
    assert sorted(mine) == sorted(r.split(",")[0] for r in rows)
    created = [c["created_at"] for c in everyone]
    assert created == sorted(created, reverse=True)  # newest first

    first = _json(nudges("candidates", "list", "--page", "--json"))
    assert len(first["candidates"]) == 100 and first["next_cursor"]
    rest = _json(nudges("candidates", "list", "--cursor", first["next_cursor"], "--json"))["candidates"]
    assert [c["candidate_id"] for c in first["candidates"] + rest] == ids


def test_interviews_outcome_and_messages(nudges, client, unique):
    now = datetime(2035, 4, 1, 9, 0, tzinfo=UTC)
    client.set_clock(now)
    email = f"mary.{unique}@example.org"
    candidate_id = _json(
        nudges("candidates", "add", "--email", email, "--timezone", "Europe/London", "--channels", "email", "--json")
    )["candidate_id"]
    booked = client.book(email, f"uid-cli-{unique}", datetime(2035, 4, 10, 14, 0, tzinfo=UTC), now, name="Mary")
    interview_id = booked.body["interview_id"]
    client.set_clock(datetime(2035, 4, 8, 14, 0, tzinfo=UTC))

    timeline = nudges("interviews", candidate_id)
    assert timeline.returncode == 0 and interview_id in timeline.stdout and "research_prompt" in timeline.stdout
    log = _json(nudges("messages", candidate_id, "--json"))
    # The welcome and the research prompt, both delivered (the welcome went out on the same clock call).
    assert sorted((m["kind"], m["channel"], m["status"]) for m in log) == [
        ("research_prompt", "email", "delivered"),
        ("welcome", "email", "delivered"),
    ]
    table = nudges("messages", candidate_id)
    assert "delivered" in table.stdout and all(m["provider_message_id"] in table.stdout for m in log)

    recorded = nudges("outcome", interview_id, "offer")
    assert recorded.returncode == 0 and "offer recorded" in recorded.stdout
    assert nudges("outcome", interview_id, "maybe").returncode == 2


def test_errors_are_one_line_with_what_to_do(nudges, tmp_path):
    nowhere = nudges("candidates", "list", url_args=False, extra_env={"NUDGES_API_URL": ""})
    assert nowhere.returncode == 2 and "--stack NAME or --api-url URL" in nowhere.stderr

    closed = nudges("candidates", "list", "--api-url", "http://127.0.0.1:9", url_args=False)
    assert closed.returncode == 3 and len(closed.stderr.strip().splitlines()) == 1 and "cannot reach" in closed.stderr

    anonymous = nudges(
        "candidates",
        "list",
        "--api-url",
        "https://abc123.execute-api.eu-west-2.amazonaws.com",
        url_args=False,
        extra_env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_EC2_METADATA_DISABLED": "true"},
    )
    assert anonymous.returncode == 3 and anonymous.stderr.strip().splitlines() == [
        "nudges: no AWS credentials: run `aws configure` or `aws sso login`, or set AWS_PROFILE"
    ]


def test_stack_reads_the_api_url_from_the_stacks_outputs(nudges, proxy, stack, unique):
    # Given a CloudFormation stack (in the stack's AWS endpoint) whose ApiUrl output is the API
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    name = f"nudges-cli-{unique}"
    template = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"ApiUrl": {"Value": url}},
    }
    stack.aws.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))
    aws = {"AWS_ENDPOINT_URL": stack.endpoint_url, "AWS_REGION": stack.aws.region}
    # When the operator names the stack instead of the URL, then the command reaches the API
    listed = nudges("candidates", "list", "--stack", name, "--json", url_args=False, extra_env=aws)
    assert listed.returncode == 0, listed.stderr
    assert "candidates" in json.loads(listed.stdout)
    # And a stack that does not exist is one line naming it
    missing = nudges("candidates", "list", "--stack", f"no-{name}", url_args=False, extra_env=aws)
    assert missing.returncode == 3
    assert missing.stderr.strip().splitlines() == [
        f"nudges: no stack no-{name} in this region: check --stack and --region"
    ]


def test_reasons_filters_local_times_typed_phones_and_default_channels(nudges, tmp_path, unique, client):
    # A phone as people type it is stored in E.164; a paused candidate is unreachable, and says why
    typed = _json(
        nudges(
            "candidates",
            "add",
            "--email",
            f"typed-{unique}@example.org",
            "--timezone",
            "Europe/London",
            "--channels",
            "email,sms",
            "--phone",
            "+44 7700 900111",
            "--json",
        )
    )
    assert typed["phone"] == "+447700900111"
    # Registered without consent to texts: SMS waits for a YES, and `get` says so
    card = nudges("candidates", "get", typed["candidate_id"])
    assert "reachable sms:  no (awaiting_sms_consent)" in card.stdout, card.stdout
    paused = _json(
        nudges(
            "candidates",
            "add",
            "--email",
            f"paused-{unique}@example.org",
            "--timezone",
            "Europe/London",
            "--channels",
            "email",
            "--json",
        )
    )
    client.request("PATCH", f"/candidates/{paused['candidate_id']}", {"paused": True})
    assert "reachable email: no (paused)" in nudges("candidates", "get", paused["candidate_id"]).stdout
    # An import without a channels column registers by email
    sheet = tmp_path / "no-channels.csv"
    sheet.write_text(f"email,name,timezone\nplain-{unique}@example.org,Plain Person,Europe/Paris\n")
    imported = nudges("candidates", "import", str(sheet))
    assert imported.returncode == 0 and "1 created" in imported.stdout, imported.stderr
    plain = _json(nudges("candidates", "find", "--email", f"plain-{unique}@example.org", "--json"))
    assert plain["channels"] == ["email"]
    # list --unreachable and --awaiting-consent keep only those, with the reason in the table
    unreachable = nudges("candidates", "list", "--unreachable")
    assert typed["candidate_id"] in unreachable.stdout and paused["candidate_id"] in unreachable.stdout
    assert plain["candidate_id"] not in unreachable.stdout
    assert "sms: awaiting_sms_consent" in unreachable.stdout
    waiting = _json(nudges("candidates", "list", "--awaiting-consent", "--json"))["candidates"]
    assert typed["candidate_id"] in {c["candidate_id"] for c in waiting}
    assert paused["candidate_id"] not in {c["candidate_id"] for c in waiting}
    # --tz shows times in the operator's zone
    card = nudges("candidates", "get", plain["candidate_id"], "--tz", "Asia/Tokyo")
    assert "JST" in card.stdout, card.stdout
    bad = nudges("candidates", "get", plain["candidate_id"], "--tz", "Mars/Olympus")
    assert bad.returncode == 2 and "--tz" in bad.stderr
