"""Candidates: the profile, the email pointer (a copy of the profile, found by address) and the
ics inbox pointer; keys in ``keys``."""

from __future__ import annotations

from typing import Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, serialize, to_item
from nudges.domain.candidate import Candidate, Consent, phone_key
from nudges.domain.interview import normalise_email
from nudges.errors import Conflict
from nudges.timefmt import iso, parse_iso

# What the email pointer copies of the profile: everything but the keys (its own PK and SK, and
# no GSI1 keys: a copy listed under CANDIDATES would show the candidate twice).
LISTING_KEYS = ("GSI1PK", "GSI1SK")


def consent_item(consent: Consent | None) -> dict[str, Any] | None:
    """A consent record as stored (on the profile and its email copy)."""
    if consent is None:
        return None
    item = {"obtained_at": iso(consent.obtained_at), "method": consent.method}
    if consent.text:
        item["text"] = consent.text
    return {**item, "message_id": consent.message_id} if consent.message_id else item


def read_consent(data: dict[str, Any] | None) -> Consent | None:
    if not data:
        return None
    return Consent(parse_iso(data["obtained_at"]), data["method"], data.get("message_id"), data.get("text"))


def read_candidate(data: dict[str, Any]) -> Candidate:
    return Candidate(
        candidate_id=data["candidate_id"],
        email=data["email"],
        timezone=data["timezone"],
        channels=tuple(data.get("channels", [])),
        created_at=parse_iso(data["created_at"]),
        ics_inbox_token=data["ics_inbox_token"],
        phone=data.get("phone"),
        name=data.get("name"),
        locale=data.get("locale", "en-GB"),
        draft_locale=data.get("draft_locale"),
        paused=bool(data.get("paused", False)),
        kinds_off=tuple(data.get("kinds_off") or ()),
        sms_consent=read_consent(data.get("sms_consent")),
        sms_yes=read_consent(data.get("sms_yes")),
        whatsapp_consent=read_consent(data.get("whatsapp_consent")),
        join_code=data.get("join_code"),
    )


class CandidateRepository(DynamoTable):
    def add(self, candidate: Candidate) -> None:
        """Profile, email pointer and inbox pointer in one transaction: an email registers once."""
        email = normalise_email(candidate.email)
        pk, sk = keys.candidate(candidate.candidate_id)
        profile = {
            "PK": pk,
            "SK": sk,
            "candidate_id": candidate.candidate_id,
            "email": email,
            "phone": candidate.phone,
            "name": candidate.name,
            "timezone": candidate.timezone,
            "channels": list(candidate.channels),
            "locale": candidate.locale,
            "draft_locale": candidate.draft_locale,
            "ics_inbox_token": candidate.ics_inbox_token,
            "created_at": iso(candidate.created_at),
            "paused": candidate.paused,
            "kinds_off": list(candidate.kinds_off),
            "sms_consent": consent_item(candidate.sms_consent),
            "whatsapp_consent": consent_item(candidate.whatsapp_consent),
            "join_code": candidate.join_code,
            "GSI1PK": keys.shard(keys.CANDIDATES, candidate.candidate_id),
            "GSI1SK": keys.candidate_listing(candidate.created_at, candidate.candidate_id),
            # Until an interview or a closed application pushes it further (Retention.extend).
            "expires_at": self._expires(candidate.created_at),
        }
        email_pk, email_sk = keys.email_pointer(email)
        # The email pointer carries a copy of the profile: finding a candidate by address (every
        # booking, offer and retention walk) is one GetItem. ``update`` writes both.
        copy = {k: v for k, v in profile.items() if k not in LISTING_KEYS}
        by_email = {**copy, "PK": email_pk, "SK": email_sk}
        inbox_pk, inbox_sk = keys.inbox(candidate.ics_inbox_token)
        pointer = {
            "PK": inbox_pk,
            "SK": inbox_sk,
            "candidate_id": candidate.candidate_id,
            "expires_at": profile["expires_at"],
        }
        not_there = "attribute_not_exists(PK)"
        puts = [
            {"Put": {"Item": to_item(item), "ConditionExpression": not_there}} for item in (profile, by_email, pointer)
        ]
        if candidate.phone:
            phone_pk, phone_sk = keys.phone_pointer(phone_key(candidate.phone), candidate.candidate_id)
            phone = {"PK": phone_pk, "SK": phone_sk, "candidate_id": candidate.candidate_id}
            puts.append({"Put": {"Item": to_item({**phone, "expires_at": profile["expires_at"]})}})
        answer = self._transact(puts)
        if isinstance(answer, Refused):
            raise Conflict("a candidate with this email is already registered", field="email")

    def all(self) -> list[Candidate]:
        """Every registered candidate, oldest registration first: one GSI1 Query (paged) a shard of
        ``CANDIDATES``, no Scan. Profiles only: an email pointer written before pointers stopped
        copying GSI1 is skipped."""
        items = [
            item
            for shard in keys.shards(keys.CANDIDATES)
            for item in self._query(
                IndexName=keys.GSI1,
                KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :prefix)",
                ExpressionAttributeValues={":pk": {"S": shard}, ":prefix": {"S": keys.CANDIDATE_PREFIX}},
            )
            if item.get("SK") == keys.PROFILE
        ]
        items.sort(key=lambda i: str(i.get("GSI1SK", "")))
        return [read_candidate(i) for i in items]

    def get(self, candidate_id: str) -> Candidate | None:
        data = self._get(keys.candidate(candidate_id))
        return read_candidate(data) if data else None

    def by_inbox_token(self, token: str) -> Candidate | None:
        """The candidate whose ics inbox this is: one GetItem on the token's own pointer."""
        pointer = self._get(keys.inbox(token)) if token else None
        return self.get(pointer["candidate_id"]) if pointer else None

    def by_email(self, email: str) -> Candidate | None:
        data = self._get(keys.email_pointer(email))
        return read_candidate(data) if data else None

    def update(self, candidate: Candidate) -> None:
        """Write back the candidate's changeable settings (channels, time zone, locale, name, phone,
        paused, kinds turned off, the consents an operator recorded), on the profile and on its
        copy under the email pointer, in one transaction."""
        change = {
            "UpdateExpression": (
                "SET channels = :channels, #tz = :tz, locale = :locale, #name = :name, phone = :phone,"
                " paused = :paused, kinds_off = :kinds_off, draft_locale = :draft_locale,"
                " whatsapp_consent = :whatsapp_consent, sms_consent = :sms_consent"
            ),
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {"#tz": "timezone", "#name": "name"},
            "ExpressionAttributeValues": {
                ":channels": serialize(list(candidate.channels)),
                ":tz": {"S": candidate.timezone},
                ":locale": {"S": candidate.locale},
                ":name": serialize(candidate.name),
                ":phone": serialize(candidate.phone),
                ":paused": {"BOOL": candidate.paused},
                ":kinds_off": serialize(list(candidate.kinds_off)),
                ":draft_locale": serialize(candidate.draft_locale),
                ":whatsapp_consent": serialize(consent_item(candidate.whatsapp_consent)),
                ":sms_consent": serialize(consent_item(candidate.sms_consent)),
            },
        }
        targets = [keys.candidate(candidate.candidate_id), keys.email_pointer(candidate.email)]
        self._db.transact_write_items(
            TransactItems=[{"Update": {"TableName": self._table, "Key": dynamo_key(k), **change}} for k in targets]
        )
