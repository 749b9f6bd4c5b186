"""What each nudge says, on each channel. Pure: data in, text out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from nudges.domain.interview import Person, company_display_name

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from nudges.domain.candidate import Candidate
    from nudges.domain.interview import Interview

RESEARCH_POINTS = (
    "how their role relates to the job you are interviewing for",
    "the organisation's culture",
    "its projects and clients",
    "shared first-degree connections you could mention",
    "articles or posts they have published",
    "one or two thoughtful comments or questions to bring to the conversation",
)


# Two GSM-7 segments: longer texts split into more parts and cost more.
SMS_LIMIT = 306


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    sms: str


def local_time(moment: datetime, candidate: Candidate) -> str:
    local = moment.astimezone(candidate.zone)
    if candidate.locale == "en-US":
        clock = local.strftime("%I:%M %p").lstrip("0")
        return f"{local:%A}, {local:%B} {local.day}, {clock} ({local.tzname()})"
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({local.tzname()})"


def _names(people: tuple[Person, ...] | list[Person]) -> str:
    names = [p.display_name for p in people]
    if not names:
        return "your interviewers"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _fit_sms(render: Callable[[str], str], people: tuple[Person, ...] | list[Person]) -> str:
    """The SMS with everyone's full name if it fits, else first names, else a count."""
    options = [_names(people), _names([Person(p.display_name.split(" ")[0], p.email) for p in people])]
    options.append(f"your {len(people)} interviewers" if len(people) > 1 else "your interviewer")
    for names in options:
        if len(text := render(names)) <= SMS_LIMIT:
            return text
    return text[: SMS_LIMIT - 1] + "…"


def research_prompt(candidate: Candidate, interview: Interview) -> Message:
    company = company_display_name(interview.company)
    when = local_time(interview.start, candidate)
    people = "\n".join(f"  - {p.display_name}" for p in interview.interviewers) or "  - your interviewers"
    points = "\n".join(f"  {n}. {point}" for n, point in enumerate(RESEARCH_POINTS, 1))
    text = (
        f"Hi {candidate.first_name},\n\n"
        f'Your interview "{interview.title}" with {company} is on {when}.\n'
        f"Now is a good time to research the people you will meet:\n{people}\n\n"
        f"For each of them, look into:\n{points}\n\n"
        "Please don't send them a LinkedIn connection request or a Facebook friend request yet: "
        "before the process ends it can come across as presumptuous. Research quietly and bring "
        "what you learn into the conversation.\n\n"
        "Good luck!\n"
    )
    sms = _fit_sms(
        lambda names: (
            f"Interview with {company} {when}: research {names} now "
            "(role, culture, projects, shared contacts, articles). No connection requests yet. "
            "Details in your email."
        ),
        interview.interviewers,
    )
    return Message(f"Prepare for {company}: research {_names(interview.interviewers)}", text, sms)


def thank_you(candidate: Candidate, interview: Interview) -> Message:
    company = company_display_name(interview.company)
    first_names = [Person(p.display_name.split(" ")[0], p.email) for p in interview.interviewers]
    greeting = _names(first_names) if first_names else "all"
    sign_off = candidate.name or "[your name]"
    draft = (
        f"To: {', '.join(p.email for p in interview.interviewers) or '[interviewer email]'}\n"
        f"Subject: Thank you - {interview.title}\n\n"
        f"Dear {greeting},\n\n"
        f"Thank you for taking the time to speak with me today about the role at {company}. "
        "I enjoyed our conversation and learning more about the team and its work, and it "
        "confirmed how much I would like to contribute.\n\n"
        "Please let me know if there is anything else I can share.\n\n"
        f"Best regards,\n{sign_off}\n"
    )
    text = (
        f"Hi {candidate.first_name},\n\n"
        f'How did "{interview.title}" go? Hold off on LinkedIn for now: asking to connect before '
        "a decision reads as presumptuous and can put the interviewers in an awkward spot. "
        "A short thank-you email today is the right move instead. Here is a draft to make your own:\n\n"
        f"{draft}\n"
        "Add one specific thing you discussed; it is what makes a thank-you memorable.\n"
    )
    sms = (
        f"After your {company} interview: send a thank-you email today, don't connect on "
        "LinkedIn yet. A draft is in your email."
    )
    return Message(f"Send a thank-you to {company} today (don't connect yet)", text, sms)


def linkedin_search_url(person: Person, company: str) -> str:
    return "https://www.linkedin.com/search/results/people/?keywords=" + quote_plus(f"{person.display_name} {company}")


def connect(candidate: Candidate, company_key: str, people: tuple[Person, ...]) -> Message:
    company = company_display_name(company_key)
    lines = []
    for person in people:
        note = (
            f"Hi {person.display_name.split(' ')[0]}, thank you again for our conversation during my "
            f"interviews at {company}. I really enjoyed it and would love to stay in touch."
        )
        lines.append(
            f"  - {person.display_name}\n"
            f"    Find them: {linkedin_search_url(person, company)}\n"
            f'    Suggested note: "{note}"'
        )
    everyone = "\n".join(lines) or "  - everyone you met"
    text = (
        f"Hi {candidate.first_name},\n\n"
        f"Congratulations on the offer from {company}! Now is the time to connect on LinkedIn "
        f"with everyone you met during the process:\n\n{everyone}\n\n"
        "A short personal note with each request makes it land.\n"
    )
    sms = _fit_sms(
        lambda names: (
            f"Congratulations on the {company} offer! Now connect on LinkedIn with {names}. "
            "Notes and links in your email."
        ),
        people,
    )
    return Message(f"Offer from {company}: now connect with everyone you met", text, sms)
