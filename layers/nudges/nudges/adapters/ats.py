"""Applicant tracking systems' REST APIs, read-only: Lever (Data API v1) and Greenhouse (Harvest v1).

Plain urllib with short timeouts (no extra HTTP library in the layer); the base URLs come from
``LEVER_API_BASE_URL`` / ``GREENHOUSE_API_BASE_URL`` so a test or a sandbox can stand in for the
real service. Both APIs take the API key as the Basic-auth user name with an empty password.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from nudges.errors import NudgesError

TIMEOUT_SECONDS = 5


class ProviderUnavailable(NudgesError):
    """The provider's API failed or answered nonsense; the webhook answers 502 so it is retried."""

    status_code = 502


class ProviderNotFound(NudgesError):
    """The provider does not know what its webhook named (deleted since, or never there)."""

    status_code = 404


@dataclass(frozen=True)
class AtsCandidate:
    """What an ATS says about a candidate's application, reduced to what matching needs."""

    emails: tuple[str, ...]
    company_hint_emails: tuple[str, ...]  # the hiring side's addresses (owner, recruiter, offering user)


class _RestClient:
    def __init__(self, base_url: str, api_key: str, provider: str) -> None:
        self._base = base_url.rstrip("/")
        self._auth = "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()
        self._provider = provider

    def get(self, path: str, query: list[tuple[str, str]] | None = None) -> Any:
        url = f"{self._base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(
            url, headers={"Authorization": self._auth, "Accept": "application/json", "User-Agent": "interview-nudges"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise ProviderNotFound(f"{self._provider} has no {path}") from exc
            raise ProviderUnavailable(
                f"{self._provider} API answered {exc.code} for {path}", dependency=self._provider.lower()
            ) from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ProviderUnavailable(
                f"{self._provider} API unreachable for {path}: {exc}", dependency=self._provider.lower()
            ) from exc


@dataclass(frozen=True)
class LeverOpportunity:
    opportunity_id: str
    emails: tuple[str, ...]
    stage_name: str | None
    owner_email: str | None
    archived: bool
    hired: bool


class LeverApi:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._http = _RestClient(base_url, api_key, "Lever")

    def opportunity(self, opportunity_id: str) -> LeverOpportunity:
        quoted = urllib.parse.quote(opportunity_id, safe="")
        data = self._http.get(f"/opportunities/{quoted}", [("expand", "stage"), ("expand", "owner")])["data"]
        stage = data.get("stage")
        owner = data.get("owner")
        archived = data.get("archived") or {}
        hired = False
        if archived.get("reason"):
            reason = urllib.parse.quote(str(archived["reason"]), safe="")
            hired = self._http.get(f"/archive_reasons/{reason}")["data"].get("type") == "hired"
        return LeverOpportunity(
            opportunity_id=data["id"],
            emails=tuple(e for e in data.get("emails") or [] if isinstance(e, str)),
            stage_name=stage.get("text") if isinstance(stage, dict) else None,
            owner_email=owner.get("email") if isinstance(owner, dict) else None,
            archived=bool(archived.get("archivedAt") or archived.get("reason")),
            hired=hired,
        )


class GreenhouseApi:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._http = _RestClient(base_url, api_key, "Greenhouse")

    def candidate_for_application(self, application_id: int, offering_user_id: int | None) -> AtsCandidate:
        application = self._http.get(f"/applications/{int(application_id)}")
        candidate = self._http.get(f"/candidates/{int(application['candidate_id'])}")
        hiring_side: list[str] = []
        if offering_user_id is not None:
            user = self._http.get(f"/users/{int(offering_user_id)}")
            hiring_side += [user.get("primary_email_address") or "", *(user.get("emails") or [])]
        return AtsCandidate(
            emails=tuple(e["value"] for e in candidate.get("email_addresses") or [] if e.get("value")),
            company_hint_emails=tuple(e for e in hiring_side if e),
        )
