"""The ``nudges`` command: argument parsing, one function per command, tables or JSON out."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from nudges_cli import importer
from nudges_cli.api import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_SERVICE,
    EXIT_SETUP,
    EXIT_USAGE,
    Api,
    CliError,
    Reply,
    api_url_of_stack,
)

EPILOG = f"""\
where the API is: --api-url URL (or NUDGES_API_URL), or --stack NAME (or NUDGES_STACK) to read
the stack's ApiUrl output from CloudFormation. Requests are signed with SigV4 (service
execute-api) from the usual AWS credentials (AWS_PROFILE, aws sso login, environment, role);
the local stack (make local: --api-url http://127.0.0.1:3000) needs none.

exit codes:
  {EXIT_OK}  done
  {EXIT_REFUSED}  the API refused the request (bad input, not found, registered with other details),
     or some rows of an import failed
  {EXIT_USAGE}  bad arguments, or a file that cannot be read
  {EXIT_SETUP}  no credentials or region, no such stack, the URL does not answer, or 403 (attach the
     stack's OperatorPolicyArn to your role: docs/operations.md)
  {EXIT_SERVICE}  the service kept failing (5xx or throttled) after every retry: try again later
"""


def _table(rows: list[list[str]], header: list[str]) -> str:
    cells = [header, *rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells)


def _candidate_rows(candidates: list[dict[str, Any]]) -> str:
    rows = [
        [
            c["candidate_id"],
            c["email"],
            c.get("name") or "",
            ",".join(c.get("channels") or []),
            _reach(c),
            c.get("phone") or "",
            c.get("timezone") or "",
            _when(c.get("created_at")),
        ]
        for c in candidates
    ]
    return _table(rows, ["CANDIDATE", "EMAIL", "NAME", "CHANNELS", "REACHABLE", "PHONE", "TIMEZONE", "REGISTERED"])


def _candidate_card(c: dict[str, Any]) -> str:
    lines = [
        ("candidate", c["candidate_id"]),
        ("email", c["email"]),
        *([("earlier emails", ", ".join(c["email_aliases"]))] if c.get("email_aliases") else []),
        ("name", c.get("name") or ""),
        ("phone", c.get("phone") or ""),
        ("channels", ",".join(c.get("channels") or [])),
        ("timezone", c.get("timezone") or ""),
        ("locale", c.get("locale") or ""),
        ("registered", _when(c.get("created_at"))),
        ("invites inbox", c.get("ics_inbox_email") or c.get("ics_inbox_url") or ""),
    ]
    reachable = c.get("reachable")
    reasons = c.get("unreachable_reasons") or {}
    if isinstance(reachable, dict):
        # {"email": true, "sms": false, ...} and, where false, why (as the API words it).
        for key, value in reachable.items():
            shown = "yes" if value is True else "no" if value is False else str(value)
            if value is False and reasons.get(key):
                shown += f" ({reasons[key]})"
            lines.append((f"reachable {key}", shown))
    if "paused" in c:
        lines.append(("paused", "yes" if c["paused"] else "no"))
    if c.get("kinds_off") is not None:
        lines.append(("kinds off", ",".join(c["kinds_off"]) or "none"))
    for name in ("sms_consent", "sms_yes"):
        record = c.get(name)
        if record:
            lines.append((name.replace("_", " "), f"{record.get('method', '')} at {_when(record.get('obtained_at'))}"))
    if c.get("join_code"):
        lines.append(("join code", c["join_code"]))
    return "\n".join(f"{k + ':':<15} {v}" for k, v in lines)


# The zone times are shown in (--tz); UTC unless asked.
_ZONE: list[Any] = [None]


def _when(value: Any) -> str:
    """An ISO-8601 instant from the API, in the --tz zone (as given when there is none)."""
    if not value or _ZONE[0] is None:
        return str(value or "")
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    return moment.astimezone(_ZONE[0]).strftime("%Y-%m-%d %H:%M %Z")


def _reach(c: dict[str, Any]) -> str:
    """'email' / 'email,sms' when each chosen channel reaches them; else 'sms: awaiting_sms_consent'..."""
    reasons = {k: v for k, v in (c.get("unreachable_reasons") or {}).items() if v != "not_chosen"}
    if not reasons:
        return ",".join(c.get("channels") or [])
    return "; ".join(f"{k}: {v}" for k, v in reasons.items())


def _interviews(timeline: list[dict[str, Any]]) -> str:
    if not timeline:
        return "no interviews"
    out = []
    for i in timeline:
        out.append(f"{i['interview_id']}  {i['status']:<9}  {_when(i['start'])}  {i['company']}: {i['title']}")
        for n in i.get("nudges", []):
            extra = f"  ({n['reason']})" if n.get("reason") else ""
            out.append(f"    {n['kind']:<16} {n['status']:<9} {_when(n.get('due_at'))}{extra}")
            # Per channel: sent only for what went, skipped with why.
            for channel, entry in (n.get("channels") or {}).items():
                detail = entry.get("reason") or _when(entry.get("sent_at"))
                out.append(f"        {channel:<9} {entry.get('status', ''):<9} {detail}")
    return "\n".join(out)


def _messages(log: list[dict[str, Any]]) -> str:
    if not log:
        return "no messages sent"
    rows = [
        [
            _when(m["sent_at"]),
            m["kind"],
            m["channel"],
            m["status"],
            m.get("interview_id") or "",
            m["provider_message_id"],
        ]
        for m in log
    ]
    return _table(rows, ["SENT", "KIND", "CHANNEL", "STATUS", "INTERVIEW", "MESSAGE ID"])


def _ok(reply: Reply, *expected: int) -> Any:
    if reply.status in expected:
        return reply.body
    message = reply.body.get("message") if isinstance(reply.body, dict) else str(reply.body or "")
    hint = ""
    if reply.status == 404 and "candidate" in str(message):
        hint = " (look it up: nudges candidates find --email ADDRESS, or nudges candidates list)"
    if reply.status == 409 and isinstance(reply.body, dict) and reply.body.get("candidate_id"):
        hint = f" (nudges candidates update {reply.body['candidate_id']} ...)"
    raise CliError(f"{reply.status}: {message}{hint}", EXIT_REFUSED)


def _out(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2) if args.json else text)


def _details(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in ("email", "name", "phone", "timezone", "locale", "draft_locale"):
        value = getattr(args, name, None)
        if value is not None:
            body[name] = importer.phone_as_typed(value) if name == "phone" else value
    if getattr(args, "channels", None):
        body["channels"] = [c for c in args.channels.replace(";", ",").split(",") if c]
    return body


# ---------------------------------------------------------------------- commands
def cmd_add(api: Api, args: argparse.Namespace) -> int:
    body = _details(args)
    if args.sms_consent:
        body["sms_consent"] = importer.consent_record(args.sms_consent)
    created = _ok(api.request("POST", "/candidates", body), 201)
    _out(args, created, _candidate_card(created))
    return EXIT_OK


def cmd_get(api: Api, args: argparse.Namespace) -> int:
    found = _ok(api.request("GET", f"/candidates/{args.candidate_id}"), 200)
    _out(args, found, _candidate_card(found))
    return EXIT_OK


def cmd_find(api: Api, args: argparse.Namespace) -> int:
    found = _ok(api.request("GET", "/candidates", query={"email": args.email}), 200)
    _out(args, found, _candidate_card(found))
    return EXIT_OK


def cmd_list(api: Api, args: argparse.Namespace) -> int:
    candidates: list[dict[str, Any]] = []
    cursor = args.cursor
    while True:
        query = {k: v for k, v in (("cursor", cursor), ("join_code", args.join_code)) if v}
        page = _ok(api.request("GET", "/candidates", query=query or None), 200)
        candidates += [c for c in page["candidates"] if _listed(c, args)]
        cursor = page.get("next_cursor")
        if not cursor or args.page:
            break
    if args.json:
        print(json.dumps({"candidates": candidates, "next_cursor": cursor if args.page else None}, indent=2))
    else:
        print(_candidate_rows(candidates) if candidates else "no candidates")
        if args.page and cursor:
            print(f"more: nudges candidates list --page --cursor {cursor}", file=sys.stderr)
    return EXIT_OK


def _listed(c: dict[str, Any], args: argparse.Namespace) -> bool:
    """Whether ``candidates list``'s filters keep this candidate (the API's own reasons)."""
    reasons = {k: v for k, v in (c.get("unreachable_reasons") or {}).items() if v != "not_chosen"}
    if args.unreachable and not reasons:
        return False
    if args.awaiting_consent and not any(str(v).startswith("awaiting_") for v in reasons.values()):
        return False
    return not (args.join_code and c.get("join_code") not in (None, args.join_code))


def cmd_update(api: Api, args: argparse.Namespace) -> int:
    changes = _details(args)
    if not changes:
        raise CliError(
            "nothing to change: give --email, --name, --phone, --timezone, --channels, --locale or --draft-locale",
            EXIT_USAGE,
        )
    updated = _ok(api.request("PATCH", f"/candidates/{args.candidate_id}", changes), 200)
    _out(args, updated, _candidate_card(updated))
    return EXIT_OK


def cmd_delete(api: Api, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("erasing cannot be undone: add --yes to erase without asking", EXIT_USAGE)
        answer = input(f"erase {args.candidate_id} and everything about them? type the id to confirm: ")
        if answer.strip() != args.candidate_id:
            raise CliError("not erased", EXIT_USAGE)
    _ok(api.request("DELETE", f"/candidates/{args.candidate_id}"), 204)
    _out(args, {"candidate_id": args.candidate_id, "erased": True}, f"erased {args.candidate_id}")
    return EXIT_OK


def cmd_import(api: Api, args: argparse.Namespace) -> int:
    try:
        rows, bad = importer.read(Path(args.file))
    except importer.FileError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    for line, why in bad:
        print(f"{args.file}: line {line}: {why}", file=sys.stderr)
    outcome = importer.run(api, rows, bad, rate=args.rate)
    for line, why in outcome.failed:
        if (line, why) not in bad:
            print(f"{args.file}: line {line}: {why}", file=sys.stderr)
    for line, what in outcome.differs:
        print(
            f"{args.file}: line {line}: already registered, but {what}: nudges candidates update "
            f"{what.split(' ')[0]} ... to change them",
            file=sys.stderr,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "created": len(outcome.created),
                    "already_registered": len(outcome.already),
                    "failed": len(outcome.failed),
                    "rows": [{"line": ln, "result": "created", "candidate_id": c} for ln, c in outcome.created]
                    + [{"line": ln, "result": "already registered", "candidate_id": c} for ln, c in outcome.already]
                    + [{"line": ln, "result": "failed", "message": m} for ln, m in outcome.failed],
                    "differs": [{"line": ln, "message": m} for ln, m in outcome.differs],
                },
                indent=2,
            )
        )
    else:
        print(outcome.summary())
    return EXIT_REFUSED if outcome.failed else EXIT_OK


def cmd_interviews(api: Api, args: argparse.Namespace) -> int:
    timeline = _ok(api.request("GET", f"/candidates/{args.candidate_id}/interviews"), 200)
    _out(args, timeline, _interviews(timeline))
    return EXIT_OK


def cmd_messages(api: Api, args: argparse.Namespace) -> int:
    log = _ok(api.request("GET", f"/candidates/{args.candidate_id}/messages"), 200)
    _out(args, log, _messages(log))
    return EXIT_OK


def cmd_join_create(api: Api, args: argparse.Namespace) -> int:
    code = _ok(api.request("POST", "/join-codes", {"label": args.label}), 201)
    _out(args, code, f"{code['join_code']}  {code['label']}\nsign-up page: {code['url']}")
    return EXIT_OK


def cmd_join_list(api: Api, args: argparse.Namespace) -> int:
    codes = _ok(api.request("GET", "/join-codes"), 200)["join_codes"]
    rows = [[c["join_code"], c["label"], c["created_at"], c.get("revoked_at") or "", c["url"]] for c in codes]
    _out(
        args, codes, _table(rows, ["CODE", "LABEL", "CREATED", "REVOKED", "SIGN-UP PAGE"]) if rows else "no join codes"
    )
    return EXIT_OK


def cmd_join_revoke(api: Api, args: argparse.Namespace) -> int:
    _ok(api.request("DELETE", f"/join-codes/{args.join_code}"), 204)
    _out(
        args,
        {"join_code": args.join_code, "revoked": True},
        f"{args.join_code} revoked (people who joined with it stay)",
    )
    return EXIT_OK


def cmd_outcome(api: Api, args: argparse.Namespace) -> int:
    recorded = _ok(api.request("POST", f"/interviews/{args.interview_id}/outcome", {"outcome": args.outcome}), 202)
    _out(args, recorded, f"{args.outcome} recorded for application {recorded.get('application_id', '')}")
    return EXIT_OK


# ---------------------------------------------------------------------- parsing
def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_mutually_exclusive_group()
    where.add_argument("--api-url", default=argparse.SUPPRESS, help="the API's base URL (default $NUDGES_API_URL)")
    where.add_argument("--stack", default=argparse.SUPPRESS, help="read ApiUrl from this CloudFormation stack")
    common.add_argument(
        "--region", default=argparse.SUPPRESS, help="AWS region (default: the URL's, or your profile's)"
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON on stdout, not a table")
    common.add_argument(
        "--tz", default=argparse.SUPPRESS, metavar="ZONE", help="show times in this IANA zone (default: as stored, UTC)"
    )

    top = argparse.ArgumentParser(
        prog="nudges",
        description="Operate an Interview Nudges stack: candidates, their interviews, messages and outcomes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    candidates = commands.add_parser(
        "candidates", help="add, get, find, list, update, delete, import", parents=[common]
    )
    sub = candidates.add_subparsers(dest="action", required=True, metavar="ACTION")

    def details(p: argparse.ArgumentParser, *, required: bool) -> None:
        p.add_argument("--timezone", required=required, help="IANA time zone, like Europe/London")
        p.add_argument("--channels", required=required, help="email, sms or email,sms")
        p.add_argument("--phone", help="as typed, like '+44 7700 900123' (stored as E.164; needed for sms)")
        p.add_argument("--name")
        p.add_argument("--locale", choices=importer.LOCALES, help="the candidate's language")
        p.add_argument(
            "--draft-locale", choices=importer.LOCALES, help="the language of the drafts they send (default: --locale)"
        )

    add = sub.add_parser("add", help="register a candidate", parents=[common])
    add.add_argument("--email", required=True)
    details(add, required=True)
    add.add_argument(
        "--sms-consent",
        metavar="METHOD",
        help="how you obtained their consent to texts (kept as evidence; no YES is asked then)",
    )
    add.set_defaults(run=cmd_add)

    get = sub.add_parser("get", help="one candidate, with whether each channel reaches them", parents=[common])
    get.add_argument("candidate_id")
    get.set_defaults(run=cmd_get)

    find = sub.add_parser("find", help="the candidate registered with an email address (any case)", parents=[common])
    find.add_argument("--email", required=True)
    find.set_defaults(run=cmd_find)

    listing = sub.add_parser("list", help="every candidate, newest first", parents=[common])
    listing.add_argument("--page", action="store_true", help="one page (100) only; prints the next cursor")
    listing.add_argument("--cursor", help="start at this page (from --page)")
    listing.add_argument(
        "--unreachable", action="store_true", help="only those a chosen channel does not reach, and why"
    )
    listing.add_argument(
        "--awaiting-consent", action="store_true", help="only those whose texts wait for consent (a YES)"
    )
    listing.add_argument("--join-code", metavar="CODE", help="only the cohort that joined with this code")
    listing.set_defaults(run=cmd_list)

    update = sub.add_parser("update", help="change a candidate; nudges still ahead are re-planned", parents=[common])
    update.add_argument("candidate_id")
    update.add_argument("--email", help="a new address; the old one stays an alias for matching invites")
    details(update, required=False)
    update.set_defaults(run=cmd_update)

    delete = sub.add_parser("delete", help="erase a candidate and everything about them", parents=[common])
    delete.add_argument("candidate_id")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(run=cmd_delete)

    load = sub.add_parser(
        "import",
        help="register every row of a CSV file; re-running creates nothing twice",
        description="Columns: " + ",".join(importer.COLUMNS) + " (channels: email, sms or email;sms). "
        "Every row is checked first; bad rows are reported by line and field. Prints "
        "'N created, M already registered, K failed'; exits 1 if any failed.",
        parents=[common],
    )
    load.add_argument("file", metavar="FILE.csv")
    load.add_argument(
        "--rate",
        type=float,
        default=10.0,
        help="requests a second at most (default 10; the API allows 50); 0: no pacing",
    )
    load.set_defaults(run=cmd_import)

    interviews = commands.add_parser("interviews", help="a candidate's interviews and nudges", parents=[common])
    interviews.add_argument("candidate_id", metavar="CANDIDATE_ID")
    interviews.set_defaults(run=cmd_interviews)

    messages = commands.add_parser(
        "messages", help="every message sent to a candidate and its status", parents=[common]
    )
    messages.add_argument("candidate_id", metavar="CANDIDATE_ID")
    messages.set_defaults(run=cmd_messages)

    joins = commands.add_parser("join-codes", help="sign-up links for cohorts: create, list, revoke", parents=[common])
    join_sub = joins.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = join_sub.add_parser("create", help="a new join code and its sign-up page", parents=[common])
    create.add_argument("label", help="the cohort's name, shown on the sign-up page")
    create.set_defaults(run=cmd_join_create)
    join_sub.add_parser("list", help="every join code", parents=[common]).set_defaults(run=cmd_join_list)
    revoke = join_sub.add_parser("revoke", help="close a sign-up page; people who joined stay", parents=[common])
    revoke.add_argument("join_code", metavar="CODE")
    revoke.set_defaults(run=cmd_join_revoke)

    outcome = commands.add_parser("outcome", help="record an outcome for an interview's application", parents=[common])
    outcome.add_argument("interview_id", metavar="INTERVIEW_ID")
    outcome.add_argument("outcome", choices=["offer", "rejected", "withdrawn"])
    outcome.set_defaults(run=cmd_outcome)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    try:
        zone = getattr(args, "tz", None)
        if zone:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                _ZONE[0] = ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise CliError(f"--tz: {zone!r} is not an IANA time zone, like Europe/London", EXIT_USAGE) from None
        url = getattr(args, "api_url", None) or os.environ.get("NUDGES_API_URL")
        stack = getattr(args, "stack", None) or (None if url else os.environ.get("NUDGES_STACK"))
        region = getattr(args, "region", None)
        if stack:
            url = api_url_of_stack(stack, region)
        if not url:
            raise CliError("where is the API? pass --stack NAME or --api-url URL (or set NUDGES_API_URL)", EXIT_USAGE)
        return int(args.run(Api(url, region=region), args))
    except CliError as exc:
        print(f"nudges: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("nudges: interrupted (an import can be run again: it creates nothing twice)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
