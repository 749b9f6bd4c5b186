"""What each nudge says, on each channel, in the candidate's locale. Pure: data in, text out.

The words live in the catalogs (``nudges/locales/<locale>/LC_MESSAGES/messages.po``, read by
``nudges.domain.catalog``); ``nudges.domain.rendering`` fills them in, fits the SMS and adds
the footer. This module only decides which entries a situation needs (a :class:`Context`, read
by the composer at send time).

The rules it keeps:
- people are named as best known; someone known only by address is "your interviewer
  (priya.r@globex.com)" and greeted "Hello,"; contacts and machines never appear
  (nudges.domain.people);
- day words follow the send time in the candidate's zone ("today", "yesterday", "on Tuesday");
- "don't connect yet" is said once per message; person-level research points per person,
  organisation-level ones once;
- an unknown company is phrased around ("your interview"), never "the company" as a name;
- every SMS goes in one segment (160 GSM-7, 70 UCS-2) when any wording of its advice fits, else
  two (GSM-7 153 x 2, UCS-2 67 x 2): names go first (dropped from the end, "and 2 others"; a name
  outside GSM-7 transliterated or, failing that, left out), then a shorter wording, then a count,
  then the company; the advice itself is never cut. An SMS to a candidate without email carries
  the essentials itself;
- people are greeted by the one name rule (nudges.domain.people.greeting_name); an agency's
  consultant is the recruiter (asked, thanked with a draft of their own, followed up with); a
  round with nobody new gets a prepare-again prompt; drafts name the role the title names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from nudges.domain.catalog import DEFAULT_LOCALE as DEFAULT_LOCALE
from nudges.domain.catalog import LOCALES as LOCALES
from nudges.domain.company_names import company_display, role_from_title
from nudges.domain.interview import Person as _Person
from nudges.domain.people import greeting_name
from nudges.domain.rendering import DEFAULT_BRANDING as DEFAULT_BRANDING
from nudges.domain.rendering import Branding as Branding
from nudges.domain.rendering import Message as Message
from nudges.domain.rendering import Words, fit_sms, message
from nudges.domain.sms_encoding import for_sms, is_gsm7, transliterate

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview, Person
    from nudges.domain.plan import NudgeTimings


@dataclass(frozen=True)
class Context:
    """Everything a message says, as read at send time.

    ``interview``: the round it is about (the last one for follow_up and rejection_reply);
    ``interviewers``: that round's people, named as best known; ``met_before``: those of them
    met in an earlier round of the application; ``everyone``: everyone met in the application
    (connect); ``addressee``: whom a follow-up or a rejection reply goes to; ``company``: its
    display name, None when unknown; ``now``: the send time; ``sms_only``: email is not a channel
    the candidate can be reached on, so the SMS must carry the essentials.
    """

    candidate: Candidate
    now: datetime
    company: str | None = None
    interview: Interview | None = None
    interviewers: tuple[Person, ...] = ()
    met_before: tuple[Person, ...] = ()
    everyone: tuple[Person, ...] = ()
    addressee: Person | None = None
    addressee_is_contact: bool = False  # a team mailbox: named in the SMS, greeted "Hello,"
    recruiter: Person | None = None  # an agency's consultant who arranged it (nudges.domain.agencies)
    sms_only: bool = False
    unsubscribe_url: str | None = None
    branding: Branding = DEFAULT_BRANDING  # who it comes from: the footer names the operator
    outcome_url: str | None = None  # the candidate's outcome page for this application (thank_you, follow_up)


def _capital(text: str, company: str | None = None) -> str:
    """The phrase starting a sentence: its first letter capital, unless the phrase starts with the
    company as written ("globex.comとの面接" stays a domain, never "Globex.com")."""
    if company and text.startswith(company):
        return text
    return text[:1].upper() + text[1:]


def _interview_phrases(words: Words, company: str | None) -> list[dict[str, str]]:
    """How to say the interview: with the company ("your Acme interview"), then without ("your
    interview"), for an SMS that must lose the company to fit."""
    options = []
    if company and "." in company and " " not in company:
        options.append(words("interview_with_domain", company=company))  # "your interview with globex.com"
    elif company:
        options.append(words("interview_with", company=company))
    options.append(words("interview_any"))
    return [{"interview": o, "Interview": _capital(o, company)} for o in options]


# ---------------------------------------------------------------------- assembling


def _with_outcome(words: Words, ctx: Context, text: str) -> str:
    """The link to say how it went (the outcome page), after the advice, when there is one."""
    return f"{text.rstrip()}\n\n{words('outcome_line', url=ctx.outcome_url)}" if ctx.outcome_url else text


def _message(words: Words, ctx: Context, subject: str, text: str, sms: str, drafts: tuple[str, ...] = ()) -> Message:
    return message(words, subject, text, sms, drafts=drafts, unsubscribe_url=ctx.unsubscribe_url, branding=ctx.branding)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"  - {line}" for line in lines)


def _candidate_hi(words: Words, candidate: Candidate) -> str:
    name = greeting_name(_Person(candidate.name or "", ""))
    return words("hi_candidate", first_name=name) if name else words("hi_candidate_any")


def _draft_words(candidate: Candidate) -> Words:
    """The words of the drafts the candidate sends (their ``draft_locale``, default their locale)."""
    return Words(candidate.drafts_in)


def _sign_off(words: Words, candidate: Candidate) -> str:
    return candidate.name or words("sign_off_any")


def _role(words: Words, company: str | None, interview: Interview | None = None) -> str:
    """ "about the Senior Analyst role at Northwind", "about the role at Northwind", "about the role"."""
    role = role_from_title(interview.title, company) if interview else None
    if role:
        return words("role_named_at", role=role, company=company) if company else words("role_named", role=role)
    return words("role_at", company=company) if company else words("role_any")


def _recruiter_line(words: Words, recruiter: Person | None) -> str:
    if recruiter is None:
        return ""
    return words("recruiter_line", name=recruiter.name) if recruiter.name else words("recruiter_line_any")


# ---------------------------------------------------------------------- the kinds


def research_prompt(ctx: Context) -> Message:
    words, candidate, interview = Words(ctx.candidate.locale), ctx.candidate, ctx.interview
    assert interview is not None
    zone, company = candidate.zone, ctx.company
    met = [p for p in ctx.interviewers if p in ctx.met_before]
    new = [p for p in ctx.interviewers if p not in ctx.met_before]
    [with_company, *_] = _interview_phrases(words, company)
    recruiter = _recruiter_line(words, ctx.recruiter)
    # When it is, in an SMS: the date as words, then in numbers (shorter), before the company goes.
    whens = dict.fromkeys(
        words.when(interview.start, ctx.now, zone, short=True, numeric=numeric) for numeric in (False, True)
    )
    variants = [{**phrase, "when": when} for phrase in _interview_phrases(words, company) for when in whens]
    if met and not new:
        # Everyone met before: what to prepare for meeting them again, not the first-meeting checklist.
        text = words.fill(
            "research_prompt",
            "again",
            {
                "hi": _candidate_hi(words, candidate),
                **with_company,
                "title": interview.title,
                "when": words.when(interview.start, ctx.now, zone),
                "names": words.names(met),
                "recruiter": f"\n\n{recruiter}" if recruiter else "",
            },
        )
        subject = words.fill("research_prompt", "subject_again", {**with_company, "names": words.few(met)})
        name_options = [{"names": n} for n in words.name_options(tuple(met))]
        sms = fit_sms(words, "research_prompt", ctx.sms_only, variants, name_options, "_again")
        return _message(words, ctx, subject, text, sms)
    sections = [("new", new), ("met", met)] if met else [("people", new)]
    people = "\n\n".join(
        words.fill("research_prompt", part, {"people": _bullets([words.label(p) for p in group])})
        for part, group in sections
    )
    if not ctx.interviewers:
        nobody = (
            words("nobody_named_recruiter", name=ctx.recruiter.name)
            if ctx.recruiter is not None and ctx.recruiter.name
            else words("nobody_named")
        )
        people = words.fill("research_prompt", "people", {"people": _bullets([nobody])})
    if recruiter:
        people += f"\n\n{recruiter}"
    text = words.fill(
        "research_prompt",
        "email",
        {
            "hi": _candidate_hi(words, candidate),
            **with_company,
            "title": interview.title,
            "when": words.when(interview.start, ctx.now, zone),
            "people_section": people,
            "look_into": words("look_into_one", name=words.label(new[0])) if len(new) == 1 else words("look_into_each"),
            "about": words("about", company=company) if company else words("about_any"),
        },
    )
    subject_names = words.few(new) if new else words("one_interviewer")
    subject = words.fill("research_prompt", "subject", {**with_company, "names": subject_names})
    # The SMS names the new people (and, from round 2, whom to recall); dropped from the end first.
    new_options = words.name_options(tuple(new))
    if met:
        # Whom to recall goes first (to the names alone, never a count), then the new names.
        met_options = words.name_options(tuple(met))
        recall = met_options[:-1] if len(met) > 1 else met_options
        name_options = [{"who": words("research_who_round", new=new_options[0], met=m)} for m in recall]
        name_options += [{"who": words("research_who", names=n)} for n in new_options]
    elif not new and ctx.recruiter is not None and ctx.recruiter.name:
        # Nobody named yet: the recruiter who arranged it knows whom the candidate will meet.
        recruiter_name = ctx.recruiter.name if is_gsm7(ctx.recruiter.name) else transliterate(ctx.recruiter.name)
        asks = [words("research_who_ask", name=recruiter_name)] if recruiter_name else []
        name_options = [{"who": w} for w in [*asks, words("research_who", names=new_options[0])]]
    else:
        name_options = [{"who": words("research_who", names=n)} for n in new_options]
    sms = fit_sms(words, "research_prompt", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms)


def _specific(words: Words, person: Person) -> str:
    name = words.addressed(person)
    return words("specific", first_name=name) if name else words("specific_any")


def _recruiter_draft(words: Words, ctx: Context, day: str, interviewers: tuple[Person, ...]) -> str:
    """The consultant's own thank-you: for arranging it, a line of interest, and (when the
    candidate has no interviewer's address) a request to pass the thanks on."""
    recruiter = ctx.recruiter
    assert recruiter is not None and ctx.interview is not None
    role = role_from_title(ctx.interview.title, ctx.company)
    pass_on = "" if interviewers else "\n" + words("pass_on") + "\n"
    interest = words("recruiter_interest_role", role=role) if role else words("recruiter_interest")
    went = words("recruiter_went")
    return words.fill(
        "thank_you",
        "recruiter",
        {
            "to": recruiter.email,
            "subject": words("recruiter_subject"),
            "greeting": words.greeting(recruiter),
            "with_company": words("with_company", company=ctx.company) if ctx.company else "",
            "day": day,
            "went": went,
            "interest": interest,
            "pass_on": pass_on,
            "sign_off": _sign_off(words, ctx.candidate),
        },
    ).replace("  ", " ")


def thank_you(ctx: Context) -> Message:
    words, candidate, interview = Words(ctx.candidate.locale), ctx.candidate, ctx.interview
    assert interview is not None
    zone, company = candidate.zone, ctx.company
    day = words.day(interview.end, ctx.now, zone)
    people = ctx.interviewers or ()
    role = role_from_title(interview.title, company)
    dw = _draft_words(candidate)  # the drafts go to the interviewers: in the candidate's draft_locale
    draft_subject = dw("draft_subject_role", role=role) if role else dw("draft_subject_any")
    draft_day = dw.day(interview.end, ctx.now, zone)
    drafts, headed = [], []  # each draft, and as the email shows it (numbered when there are several)
    # With a recruiter and no interviewer's address, the recruiter's draft asks to pass the thanks on.
    addressees: tuple[Person | None, ...] = people or (() if ctx.recruiter else (None,))
    count = len(addressees) + (1 if ctx.recruiter else 0)
    for n, person in enumerate(addressees, 1):
        again = person is not None and person in ctx.met_before
        draft = dw.fill(
            "thank_you",
            "draft",
            {
                "to": (person.email or person.name) if person else dw("unnamed_short"),
                "subject": draft_subject,
                "greeting": dw.greeting(person),
                "thanks": dw("thanks_again" if again else "thanks_first"),
                "day": draft_day,
                "role": _role(dw, company, interview),
                "specific": _specific(dw, person) if person else dw("specific_any"),
                "fit": dw("fit"),
                "sign_off": _sign_off(dw, candidate),
            },
        )
        drafts.append(draft)
        headed.append(f"--- {words('draft_heading', n=n, count=count)}\n{draft}" if count > 1 else draft)
    if ctx.recruiter is not None:
        draft = _recruiter_draft(dw, ctx, draft_day, people)
        drafts.append(draft)
        heading = words("recruiter_heading")
        headed.append(f"--- {heading}\n{draft}" if count > 1 else draft)
    [with_company, *_] = _interview_phrases(words, company)
    subject_drafts = words("subject_drafts_one") if count == 1 else words("subject_drafts_many", count=count)
    subject = words.fill("thank_you", "subject", {**with_company, "drafts": subject_drafts})
    one = count == 1
    named = people[0] if people else ctx.recruiter
    if one and named is not None and not people:
        to_whom = words("to_recruiter", name=words.label(named))
    elif one and named is not None:
        to_whom = words("to_one", name=words.label(named))
    else:
        to_whom = words("to_each")
    text = words.fill(
        "thank_you",
        "email",
        {
            "hi": _candidate_hi(words, candidate),
            **with_company,
            "day": day,
            "to_whom": to_whom,
            "below": words("below_one") if one else words("below_each"),
            "drafts": "\n\n".join(headed),
        },
    )
    text = _with_outcome(words, ctx, text)
    in_email = words("drafts_one") if one else words("drafts_many", count=count)
    plural = {
        "each": "" if one else words("each"),
        "they_discussed": words("discussed_" + ("one" if one else "each")),
        "send_today": "" if day == words("today") else words("send_today"),  # not "today ... today"
    }
    variants = [{**phrase, "day": day, "drafts": in_email, **plural} for phrase in _interview_phrases(words, company)]
    thanked = tuple(people) + ((ctx.recruiter,) if ctx.recruiter else ())
    name_options = [{"names": n} for n in words.name_options(thanked)]
    sms = fit_sms(words, "thank_you", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms, tuple(drafts))


def linkedin_search_url(person: Person, company: str | None) -> str:
    """A LinkedIn people search for ``person`` at ``company``; a company known only by its domain
    is left out (nobody's profile says "globex.com")."""
    named = company if company and not ("." in company and " " not in company) else None
    keywords = f"{person.name} {named}" if named else person.name
    return "https://www.linkedin.com/search/results/people/?keywords=" + quote_plus(keywords)


def connect(ctx: Context) -> Message:
    words, candidate, company = Words(ctx.candidate.locale), ctx.candidate, ctx.company
    entries = []
    dw = _draft_words(candidate)  # the notes go to the interviewers: in the candidate's draft_locale
    at_company = dw("at_company", company=company) if company else ""
    for person in ctx.everyone:
        note = dw.fill("connect", "note", {"greeting": dw.hi(person), "at_company": at_company})
        find = words("find", url=linkedin_search_url(person, company)) if person.name else words("find_any")
        entries.append(f"  - {words.label(person)}\n    {find}\n    " + words("suggested", note=note))
    congratulations = words("congratulations", company=company) if company else words("congratulations_any")
    offer_from = words("offer_from", company=company) if company else words("offer_from_any")
    text = words.fill(
        "connect",
        "email",
        {
            "hi": _candidate_hi(words, candidate),
            "congratulations": congratulations,
            "people": "\n".join(entries) or _bullets([words("nobody_named")]),
        },
    )
    subject = words.fill("connect", "subject", {"offer_from": offer_from})
    variants = [{"congratulations": congratulations}]
    if company:
        variants.append({"congratulations": words("congratulations_any")})
    name_options = [{"names": n} for n in words.name_options(ctx.everyone)]
    sms = fit_sms(words, "connect", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms)


@dataclass(frozen=True)
class WelcomeLinks:
    """The candidate's own links: calendar connect (per provider) and preferences, each signed for
    them; the address their invites are forwarded to (None without an inbox domain)."""

    google: str | None  # None: no OAuth client set up for it, so no link
    microsoft: str | None
    preferences: str
    forwarding_address: str | None = None
    preferences_short: str | None = None  # the same page by its short path, for texts


def _connect_lines(words: Words, links: WelcomeLinks) -> str:
    """The calendar connect links of the providers the operator set up; nothing without one."""
    offered = (("google", links.google), ("microsoft", links.microsoft))
    lines = [words(f"welcome_{p}", url=url) for p, url in offered if url]
    return "\n".join([words("welcome_connect"), *lines]) + "\n" if lines else ""


def _hours(words: Words, delay: timedelta) -> str:
    return words.hours(delay.total_seconds() / 3600)


def welcome(
    candidate: Candidate,
    links: WelcomeLinks,
    timings: NudgeTimings,
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
) -> Message:
    """What the service will do and when, where to forward invites, the connect and preferences
    links; by SMS, without consent on record, the request to reply YES."""
    words = Words(candidate.locale)
    forwarding = (
        words.fill("welcome", "forwarding", {"address": links.forwarding_address}) + "\n"
        if links.forwarding_address
        else ""
    )
    values = {
        "first_name": candidate.first_name,
        "research_lead": _hours(words, timings.research_lead),
        "thank_you_delay": _hours(words, timings.thank_you_delay),
        "follow_up_days": str(timings.follow_up_days),
        "quiet_start": words.clock_time(timings.quiet_start),
        "quiet_end": words.clock_time(timings.quiet_end),
        "timezone": candidate.timezone,
        "connect": _connect_lines(words, links),
        "preferences_url": links.preferences,
        "sender_name": branding.sender_name,
    }
    text = words.fill("welcome", "email", {**values, "forwarding": forwarding})
    sms_kind = "welcome_consent" if candidate.awaiting_sms_consent else "welcome"
    composed = message(
        words,
        words.fill("welcome", "subject", values),
        text,
        words.fill(sms_kind, "sms", {**values, "preferences_url": links.preferences_short or links.preferences}),
        unsubscribe_url=unsubscribe_url,
        branding=branding,
    )
    # A channel that never asks for consent (WhatsApp) gets the welcome without the YES request.
    return replace(composed, advice=words.fill("welcome", "sms", values), kind="welcome")


def sms_yes_reply(locale: str, branding: Branding = DEFAULT_BRANDING) -> str:
    """The answer to a YES by SMS."""
    words = Words(locale)
    return for_sms(words.fill("sms_yes", "sms", {"sender_name": branding.sender_name}), words.locale)


def sms_reply(keyword: str, locale: str = DEFAULT_LOCALE, branding: Branding = DEFAULT_BRANDING) -> str:
    """The answer to a STOP, START or HELP by SMS (``keyword``: "stop", "start", "help")."""
    words = Words(locale)
    return for_sms(words.fill("sms_reply", keyword, {"operator_name": branding.operator_name}), words.locale)


@dataclass(frozen=True)
class InviteReceipt:
    """One interview read from a forwarded invite, and when its research prompt comes (or why not)."""

    company: str
    title: str
    start: datetime
    cancelled: bool = False
    research_at: datetime | None = None
    research_skipped: str | None = None


@dataclass(frozen=True)
class InviteProblem:
    """Why (part of) a forwarded mail was not used: an ``invite_problem.<key>`` entry, and what
    the reader found wrong (``detail``, for ``unreadable``)."""

    key: str  # no_calendar | unreadable | no_event | left_out
    detail: str = ""


def _receipt_line(words: Words, receipt: InviteReceipt, candidate: Candidate) -> str:
    company = company_display(receipt.company) or receipt.company
    what = words.catalog.text(
        "invite_receipt.what", title=receipt.title, company=company, when=local_time(receipt.start, candidate)
    )
    if receipt.cancelled:
        return words.catalog.text("invite_receipt.cancelled", what=what)
    if receipt.research_at is not None:
        research_at = local_time(receipt.research_at, candidate)
        return words.catalog.text("invite_receipt.research_at", what=what, research_at=research_at)
    if receipt.research_skipped:
        return words.catalog.text("invite_receipt.research_skipped", what=what, reason=receipt.research_skipped)
    return words.catalog.text("invite_receipt.got_it", what=what)


def invite_receipt(
    candidate: Candidate,
    receipts: list[InviteReceipt],
    problems: list[InviteProblem],
    unsubscribe_url: str | None = None,
    branding: Branding = DEFAULT_BRANDING,
    add_url: str | None = None,
) -> Message:
    """The short answer to a forwarded invite: what was read from it, and what was not used and
    why, with what the candidate can do about it (add the interview by hand at ``add_url``);
    "nothing more to do" only when everything was used. A mail with nothing booked from it and
    an ``add_url`` gets the add-an-interview answer, the form prefilled."""
    words = Words(candidate.locale)
    lines = [_receipt_line(words, r, candidate) for r in receipts]
    for problem in problems:
        said = words.catalog.text(f"invite_problem.{problem.key}", detail=problem.detail)
        lines.append(words.catalog.text("invite_receipt.not_used", problem=said))
    # What to do now follows from what happened: never "nothing more" beside "not used".
    if not problems:
        closing = words.catalog.text("invite_receipt.all_used")
    elif add_url:
        closing = words.catalog.text("invite_receipt.add_by_hand", link=add_url)
    else:
        closing = words.catalog.text("invite_receipt.forward_again")
    values = {"first_name": candidate.first_name, "lines": "\n\n".join(lines), "closing": closing}
    if receipts:
        first = receipts[0]
        summary = words.catalog.text(
            "invite_receipt.summary",
            company=company_display(first.company) or first.company,
            when=local_time(first.start, candidate),
        )
        subject = words.fill("invite_receipt", "subject", {"summary": summary})
    else:
        subject = words.fill("invite_problem", "subject", {})
    if receipts or not add_url:
        text = words.fill("invite_receipt", "email", values)
    else:
        text = words.fill("invite_problem", "email", {**values, "add_url": add_url})
    return message(words, subject, text, "", unsubscribe_url=unsubscribe_url, branding=branding)


def _addressed_draft(
    words: Words, dw: Words, ctx: Context, kind: str, values: dict[str, str]
) -> tuple[str, list[dict[str, str]]]:
    """The draft (in ``dw``, the draft_locale's words) and the ways the SMS names its addressee
    (in ``words``, the candidate's)."""
    person = ctx.addressee
    draft = dw.fill(
        kind,
        "draft",
        {
            "to": (person.email or person.name) if person else dw("unnamed_short"),
            "greeting": dw.greeting(None if ctx.addressee_is_contact else person),
            "sign_off": _sign_off(dw, ctx.candidate),
            **values,
        },
    )
    if person is None:
        options = [words("one_interviewer")]
    elif ctx.addressee_is_contact:
        # A team mailbox is named by its name or its address, never "your interviewer".
        written = person.name or person.email
        gsm = transliterate(written)
        options = [written, *([gsm] if gsm else []), words("your_contact")]
    else:
        options = words.name_options((person,))
    return draft, [{"names": n} for n in dict.fromkeys(options)]


def follow_up(ctx: Context) -> Message:
    words, candidate, interview, company = Words(ctx.candidate.locale), ctx.candidate, ctx.interview, ctx.company
    assert interview is not None
    zone = candidate.zone
    day = words.day(interview.end, ctx.now, zone)
    days = max(1, (ctx.now.astimezone(zone).date() - interview.end.astimezone(zone).date()).days)
    dw = _draft_words(candidate)
    draft, name_options = _addressed_draft(
        words,
        dw,
        ctx,
        "follow_up",
        {"day": dw.day(interview.end, ctx.now, zone), "role": _role(dw, company, interview)},
    )
    [with_company, *_] = _interview_phrases(words, company)
    text = words.fill(
        "follow_up",
        "email",
        {"hi": _candidate_hi(words, candidate), **with_company, "days": str(days), "day": day, "draft": draft},
    )
    text = _with_outcome(words, ctx, text)
    subject = words.fill("follow_up", "subject", with_company)
    variants = [{**phrase, "day": day} for phrase in _interview_phrases(words, company)]
    sms = fit_sms(words, "follow_up", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms, (draft,))


def rejection_reply(ctx: Context) -> Message:
    words, candidate, company = Words(ctx.candidate.locale), ctx.candidate, ctx.company
    dw = _draft_words(candidate)
    organisation = dw("org", company=company) if company else dw("org_any")
    draft, name_options = _addressed_draft(words, dw, ctx, "rejection_reply", {"org": organisation})
    application = words("application", company=company) if company else words("application_any")
    text = words.fill(
        "rejection_reply", "email", {"hi": _candidate_hi(words, candidate), "application": application, "draft": draft}
    )
    subject = words.fill(
        "rejection_reply", "subject", {"to_company": words("to_company", company=company) if company else ""}
    )
    variants = [{"application": application}]
    if company:
        variants.append({"application": words("application_any")})
    sms = fit_sms(words, "rejection_reply", ctx.sms_only, variants, name_options)
    return _message(words, ctx, subject, text, sms, (draft,))


COMPOSE = {
    "research_prompt": research_prompt,
    "thank_you": thank_you,
    "connect": connect,
    "follow_up": follow_up,
    "rejection_reply": rejection_reply,
}


# The kinds composed from a Context (the welcome has its own builder), registry-checked.
KINDS = tuple(COMPOSE)


def compose(kind: str, ctx: Context) -> Message:
    """The ``kind`` nudge's message, carrying its kind (a WhatsApp message goes as its template)."""
    return replace(COMPOSE[kind](ctx), kind=kind)


def local_time(moment: datetime, candidate: Candidate) -> str:
    """``moment`` in the candidate's zone and locale: "Thursday 3 December at 14:00 (GMT)"."""
    return Words(candidate.locale).at(moment, candidate.zone)
