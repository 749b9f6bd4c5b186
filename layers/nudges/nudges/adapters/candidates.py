"""Candidates: the profile, the email pointer (a copy of the profile, found by address) and the
ics inbox pointer; keys in ``keys``.

A changed address keeps its pointer as an alias: the item stays under ``EMAIL#<old>`` but holds
only ``alias_of`` (the candidate's id), and a reader follows it to the profile (``read_pointer``).
The current address's pointer is the copy of the profile, as before; no two candidates ever hold
one address, current or alias: the change is one transaction conditional on the new address's
pointer being free (or this candidate's own alias)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nudges.adapters import keys
from nudges.adapters.dynamo import DynamoTable, Refused, dynamo_key, serialize, to_item
from nudges.domain.candidate import Candidate, Consent, phone_key
from nudges.domain.interview import normalise_email
from nudges.errors import ConcurrentUpdate, Conflict
from nudges.timefmt import iso, parse_iso

if TYPE_CHECKING:
    from collections.abc import Callable

    from nudges.adapters.keys import Key

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
        email_aliases=tuple(data.get("email_aliases") or ()),
    )


def read_pointer(data: dict[str, Any], get: Callable[[Key], dict[str, Any] | None]) -> Candidate | None:
    """The candidate an email pointer names: its copy of the profile, or (an alias, an address the
    candidate had before) the profile it points to, read with ``get``."""
    if data.get("alias_of"):
        profile = get(keys.candidate(data["alias_of"]))
        return read_candidate(profile) if profile else None
    return read_candidate(data)


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
        """The candidate with this address, current or an alias (then one GetItem more)."""
        data = self._get(keys.email_pointer(email))
        return read_pointer(data, self._get) if data else None

    def change_email(self, candidate: Candidate, new_email: str) -> Candidate:
        """Move the candidate to ``new_email`` in one transaction: the profile (only if its address
        is still ``candidate.email``), the new address's pointer (a copy of the profile; only if
        no one holds the address, or it is this candidate's own alias) and the old one turned into
        an alias. ``Conflict`` (field ``email``) when another candidate holds the address;
        ``ConcurrentUpdate`` when the address changed meanwhile."""
        new_email = normalise_email(new_email)
        changed = candidate.with_email(new_email)
        profile_key = keys.candidate(candidate.candidate_id)
        profile = self._get(profile_key)
        if profile is None or profile.get("email") != normalise_email(candidate.email):
            raise ConcurrentUpdate(candidate.candidate_id)
        aliases = list(changed.email_aliases)
        new_pk, new_sk = keys.email_pointer(new_email)
        copy = {k: v for k, v in profile.items() if k not in LISTING_KEYS}
        copy.update({"PK": new_pk, "SK": new_sk, "email": new_email, "email_aliases": aliases})
        old_pk, old_sk = keys.email_pointer(candidate.email)
        alias = {
            "PK": old_pk,
            "SK": old_sk,
            "candidate_id": candidate.candidate_id,
            "alias_of": candidate.candidate_id,
            "expires_at": profile.get("expires_at"),
        }
        me = {":me": {"S": candidate.candidate_id}}
        answer = self._transact(
            [
                {
                    "Update": {
                        "Key": dynamo_key(profile_key),
                        "UpdateExpression": "SET email = :new, email_aliases = :aliases",
                        "ConditionExpression": "attribute_exists(PK) AND email = :old",
                        "ExpressionAttributeValues": {
                            ":new": {"S": new_email},
                            ":aliases": serialize(aliases),
                            ":old": {"S": normalise_email(candidate.email)},
                        },
                    }
                },
                {
                    "Put": {
                        "Item": to_item(copy),
                        "ConditionExpression": "attribute_not_exists(PK) OR (candidate_id = :me AND attribute_exists(alias_of))",
                        "ExpressionAttributeValues": me,
                    }
                },
                {
                    "Put": {
                        "Item": to_item(alias),
                        "ConditionExpression": "attribute_not_exists(PK) OR candidate_id = :me",
                        "ExpressionAttributeValues": me,
                    }
                },
            ]
        )
        if isinstance(answer, Refused):
            codes = [r.get("Code") for r in answer.reasons]
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise Conflict("email: another candidate is registered with this address", field="email")
            raise ConcurrentUpdate(candidate.candidate_id)
        return changed

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
