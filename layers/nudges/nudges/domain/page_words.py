"""The words of the candidate's self-service pages (join, verify, add or edit an interview, the
outcome page, the errors they show) and of the sign-up mails, per page, per locale.

Words are data: each page's strings sit together under the page's name, so a translator (or
the gettext catalogs, as ``page.<page>.<string>``) can take them whole. Placeholders are
``{name}`` (``str.format``). A locale without its own words falls back to ``en-GB``; every
page takes the candidate's locale as a parameter.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT = "en-GB"

_EN_GB: dict[str, dict[str, str]] = {
    "common": {
        "skip": "Skip to the form",
        "required": "required",
        "optional": "optional",
        "footer": "Run by {operator}.",
        "footer_support": "Run by {operator}. Questions: {support}",
        "fix_below": "Please check the fields marked below.",
    },
    "join": {
        "title": "Sign up for interview nudges",
        "intro": "{operator} sends you the right move at the right moment around each interview: "
        "research before it, a thank-you after it, and when to connect once an offer arrives.",
        "cohort": "You are joining: {label}",
        "name": "Your name",
        "email": "Email address",
        "email_hint": "We send a link to this address to confirm it is yours.",
        "phone": "Mobile number",
        "phone_hint": "Needed only for text messages. Type it as you usually do; pick the country for a number "
        "without a + in front.",
        "country": "Country of the number",
        "timezone": "Your time zone",
        "timezone_hint": "Nudges are timed in this zone, and never arrive between 21:00 and 08:00.",
        "locale": "Language",
        "channels": "How should we reach you?",
        "channel.email": "Email",
        "channel.sms": "Text messages (SMS)",
        "channel.whatsapp": "WhatsApp",
        "consent.sms": "I agree to receive interview nudges by text message from {operator} at the number above: "
        "a few messages per interview. Message and data rates may apply. Reply STOP to stop, HELP for help.",
        "consent.whatsapp": "I agree to receive interview nudges on WhatsApp from {operator} at the number above. "
        "Reply STOP to stop.",
        "consent_hint": "Without this box ticked we text you once to ask you to reply YES first.",
        "honeypot": "Leave this empty",
        "submit": "Sign up",
        "rate_code": "Too many people are signing up with this link right now. Please try again in an hour.",
    },
    "join_sent": {
        "title": "Check your inbox",
        "text": "If {email} can sign up, a message is on its way with a link to confirm. "
        "The link works for 24 hours. Nothing is stored until you click it.",
    },
    "verify": {
        "title": "Confirm your sign-up",
        "text": "One click and you are signed up with {email}.",
        "submit": "Confirm and sign up",
    },
    "verified": {
        "title": "You are signed up",
        "text": "Welcome. Your first message, with everything you need, is on its way to you.",
        "known": "This address was signed up already, so nothing was changed. We have emailed it the link to "
        "its preferences page.",
        "preferences": "Your preferences",
    },
    "verify_mail": {
        "subject": "Confirm your sign-up to {operator}",
        "text": "Hello,\n\nSomeone (we hope you) asked to sign up {email} for interview nudges from {operator}.\n\n"
        "Confirm here (the link works for 24 hours, once):\n{link}\n\n"
        "If it was not you, ignore this message: nothing is stored and you hear nothing more.\n",
    },
    "known_mail": {
        "subject": "Your interview nudges from {operator}",
        "text": "Hello,\n\nYou (or someone with your address) asked to sign up again. You are already signed "
        "up, so nothing changed.\n\nYour preferences page, to change how and when we reach you:\n{link}\n",
    },
    "email_change_mail": {
        "subject": "Confirm your new email address for {operator}",
        "text": "Hello,\n\nConfirm that interview nudges from {operator} should come to this address "
        "(the link works for 24 hours, once):\n{link}\n\nIf it was not you, ignore this message.\n",
    },
    "email_changed_mail": {
        "subject": "Your email address for {operator} changed",
        "text": "Hello,\n\nFrom now on, interview nudges from {operator} go to {new_email} instead of this "
        "address. If you did not ask for this, reply to {support}.\n",
    },
    "consent_sms": {
        "text": "{operator}: reply YES to get your interview nudges by text at this number. "
        "Reply STOP to opt out, HELP for help. Msg&data rates may apply.",
    },
    "interview": {
        "title_new": "Add an interview",
        "title_edit": "Change an interview",
        "intro": "Add an interview that no connected calendar carries: you get the same nudges as for any other.",
        "company": "Company",
        "role": "Role",
        "date": "Date",
        "time": "Start time",
        "duration": "How long (minutes)",
        "timezone": "Time zone",
        "interviewers": "Interviewers",
        "interviewers_hint": "The people you will meet: their names, and their email if you know it.",
        "interviewer_name": "Interviewer {n}: name",
        "interviewer_email": "Interviewer {n}: email",
        "location": "Where (address or video link)",
        "submit_new": "Add the interview",
        "submit_edit": "Save the changes",
        "cancel_title": "Cancel this interview",
        "cancel_text": "Its nudges still ahead are cancelled.",
        "cancel_submit": "Cancel the interview",
        "read_only": "This interview came from {source}: change it there and we follow.",
        "cancelled": "This interview is cancelled.",
        "back": "Back to your preferences",
    },
    "outcome": {
        "title": "How did it go at {company}?",
        "intro": "Tell us what happened and we send you the right next step.",
        "offer": "I got an offer",
        "rejected": "Not this time",
        "withdrawn": "I withdrew",
        "waiting": "Still waiting",
        "submit": "Send",
        "done.offer": "Congratulations! Your message on connecting with everyone you met is on its way.",
        "done.rejected": "Sorry to hear it. A gracious reply to send them is on its way to you.",
        "done.withdrawn": "Noted: no more nudges for this application.",
        "done.waiting": "Nothing changes: your nudges carry on as planned.",
        "already": "{company} told us the outcome already ({outcome}), so it stands.",
        "recorded": "Recorded: {outcome}.",
    },
    "errors": {
        "title.400": "Please check what you entered",
        "title.403": "This form can only be sent from its own page",
        "title.404": "This link is not valid",
        "title.409": "This cannot be changed here",
        "title.410": "This link has expired",
        "title.413": "Too much to send",
        "title.429": "Please try again later",
        "title.503": "Not available yet",
        "title.500": "Something went wrong on our side",
        "text.404": "The link may be mistyped, or it was replaced by a newer one. Ask for a new link if you need one.",
        "text.410": "Links like this one work once and for 24 hours. Please start again to get a new one.",
        "text.413": "The form was too large to accept. Please shorten what you typed.",
        "text.503": "This part of the service is not set up yet. Please ask the people who run it.",
        "text.500": "Nothing you did caused this. Please try again in a few minutes.",
    },
    "fields": {
        "email": "Please enter an email address like name@example.com.",
        "name": "Please keep the name under 200 characters.",
        "phone": "This does not look like a mobile number for the chosen country.",
        "phone_needed": "A mobile number is needed for text messages and WhatsApp.",
        "timezone": "Please pick a time zone from the list.",
        "locale": "Please pick a language from the list.",
        "channels": "Please choose at least one way to reach you.",
        "company": "Please enter the company's name.",
        "date": "Please enter the date as YYYY-MM-DD.",
        "time": "Please enter the start time as HH:MM (24-hour).",
        "duration": "Please enter a duration between 5 and 600 minutes.",
        "interviewers": "Please name at least one interviewer.",
        "interviewer_email": "This does not look like an email address.",
        "start_past": "This time has passed already: please check the date and time.",
        "outcome": "Please choose one of the answers.",
        "too_long": "Please keep this under {n} characters.",
    },
}

_EN_US: dict[str, dict[str, str]] = {
    "join": {"channel.sms": "Text messages"},
}

WORDS: Mapping[str, Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "en-GB": {page: MappingProxyType(strings) for page, strings in _EN_GB.items()},
        "en-US": {page: MappingProxyType({**strings, **_EN_US.get(page, {})}) for page, strings in _EN_GB.items()},
    }
)


def strings(page: str, locale: str | None = None) -> Mapping[str, str]:
    """The strings of one page in ``locale`` (en-GB where that locale has none)."""
    return WORDS.get(locale or DEFAULT, WORDS[DEFAULT])[page]


def say(page: str, key: str, locale: str | None = None, **values: object) -> str:
    """One string of a page, its ``{placeholders}`` filled."""
    text = strings(page, locale)[key]
    return text.format(**values) if values else text


def mail_html(text: str) -> str:
    """The HTML part of a short mail (the sign-up ones): the text escaped, paragraphs kept, links clickable."""
    import html
    import re

    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = html.escape(block).replace("\n", "<br>\n")
        paragraphs.append("<p>" + re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escaped) + "</p>")
    body = "\n".join(paragraphs)
    return f'<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.4">\n{body}\n</body></html>\n'
