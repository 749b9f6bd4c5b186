"""The operator API over HTTPS, each request signed with SigV4 (service ``execute-api``).

Credentials come from botocore's usual chain (environment, ``AWS_PROFILE``, SSO, the instance
or task role); the region from ``--region``, the API's own host name
(``<id>.execute-api.<region>.amazonaws.com``), or the profile. Plain ``urllib``: no HTTP library
beyond the standard one. Throttling (429) and server errors (5xx) are retried with exponential
backoff and jitter; every request the command line makes is safe to repeat (registration
answers the same candidate for the same details, deletion twice is deletion once).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.session import Session

# Exit codes (nudges --help and docs/operations.md list them).
EXIT_OK = 0
EXIT_REFUSED = 1  # the API refused the request (400, 404, 409), or some import rows failed
EXIT_USAGE = 2  # bad arguments or a bad file
EXIT_SETUP = 3  # no credentials, no region, no such stack, an unreachable URL, 403
EXIT_SERVICE = 4  # the service kept failing (5xx or throttling after every retry)

_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class CliError(Exception):
    """One line telling the operator what to do, and the exit code."""

    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


def api_url_of_stack(stack: str, region: str | None, session: Session | None = None) -> str:
    """The ``ApiUrl`` output of a CloudFormation stack."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    session = session or Session()
    try:
        cfn = session.create_client("cloudformation", region_name=region or default_region(session))
        stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
    except NoRegionError:
        raise CliError("no AWS region: pass --region eu-west-2 (for example) or set AWS_REGION", EXIT_SETUP) from None
    except NoCredentialsError:
        raise CliError(_NO_CREDENTIALS, EXIT_SETUP) from None
    except ClientError as exc:
        if "does not exist" in str(exc):
            raise CliError(f"no stack {stack} in this region: check --stack and --region", EXIT_SETUP) from None
        raise CliError(f"cannot read stack {stack}: {exc}", EXIT_SETUP) from None
    except BotoCoreError as exc:
        raise CliError(f"cannot reach CloudFormation: {exc}", EXIT_SETUP) from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if "ApiUrl" not in outputs:
        raise CliError(f"stack {stack} has no ApiUrl output: is it an Interview Nudges stack?", EXIT_SETUP)
    return outputs["ApiUrl"]


def default_region(session: Session) -> str | None:
    """AWS_REGION (what Lambda and most SDKs read), else AWS_DEFAULT_REGION or the profile's."""
    return os.environ.get("AWS_REGION") or session.get_config_variable("region")


_NO_CREDENTIALS = "no AWS credentials: run `aws configure` or `aws sso login`, or set AWS_PROFILE"


class Api:
    def __init__(
        self,
        base_url: str,
        *,
        region: str | None = None,
        session: Session | None = None,
        attempts: int = 6,
        timeout: float = 30,
        sleep: Any = time.sleep,
    ) -> None:
        split = urllib.parse.urlsplit(base_url.rstrip("/"))
        if split.scheme not in ("http", "https") or not split.hostname:
            raise CliError(f"--api-url {base_url!r}: not an http(s) URL", EXIT_USAGE)
        self.base_url = base_url.rstrip("/")
        self._host = split.hostname
        self._session = session or Session()
        self._attempts = attempts
        self._timeout = timeout
        self._sleep = sleep
        self.region = region or self._region_of_host() or default_region(self._session)
        self.local = self._host in _LOOPBACK
        if not self.region:
            if not self.local:
                raise CliError("no AWS region: pass --region eu-west-2 (for example) or set AWS_REGION", EXIT_SETUP)
            self.region = "us-east-1"
        self._credentials = self._session.get_credentials()
        if self._credentials is None and not self.local:
            raise CliError(_NO_CREDENTIALS, EXIT_SETUP)

    def _region_of_host(self) -> str | None:
        m = _API_HOST.match(self._host)
        return m.group(1) if m else None

    def _signed(self, method: str, url: str, data: bytes | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self._credentials is None:
            return headers  # the local stack's operator API is open; nothing to sign with
        request = AWSRequest(method=method, url=url, data=data or b"", headers=headers)
        SigV4Auth(self._credentials.get_frozen_credentials(), "execute-api", self.region).add_auth(request)
        return dict(request.headers.items())

    def request(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Reply:
        """One call, retried on 429, 5xx and connection failures; raises CliError when it gives up."""
        url = self.base_url + path + (("?" + urllib.parse.urlencode(query)) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        failure = ""
        for attempt in range(self._attempts):
            if attempt:
                # Exponential backoff with full jitter: 0.2 s, 0.4 s, ... capped at 10 s.
                self._sleep(random.uniform(0, min(10.0, 0.2 * 2**attempt)))
            request = urllib.request.Request(url, data=data, method=method, headers=self._signed(method, url, data))
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as response:
                    return Reply(response.status, _decode(response.read()))
            except urllib.error.HTTPError as exc:
                reply = Reply(exc.code, _decode(exc.read()))
                if exc.code == 429 or exc.code >= 500:
                    failure = f"{exc.code} {_message(reply)}"
                    continue
                if exc.code == 403:
                    raise CliError(
                        f"403 {_message(reply)}: your AWS identity needs the stack's operator policy "
                        "(output OperatorPolicyArn; see docs/operations.md)",
                        EXIT_SETUP,
                    ) from None
                return reply
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                failure = f"cannot reach {self.base_url}: {getattr(exc, 'reason', exc)}"
                continue
        if failure.startswith("cannot reach"):
            raise CliError(f"{failure}: check --api-url / --stack and your network", EXIT_SETUP)
        raise CliError(
            f"the service kept failing ({failure}) after {self._attempts} tries: try again later", EXIT_SERVICE
        )


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _message(reply: Reply) -> str:
    if isinstance(reply.body, dict) and reply.body.get("message"):
        return str(reply.body["message"])
    return str(reply.body or "")[:200]
