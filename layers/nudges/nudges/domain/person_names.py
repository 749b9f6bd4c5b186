"""The one rule for how a person's name is written and greeted (nudges.domain.people decides who
is a person).

How a name is written and greeted (:func:`clean_name`, :func:`greeting_of`, by which
nudges.domain.people.greeting_name greets a person: the one rule every
message, draft and note uses), parsed by ``nameparser``:

- pronouns ("(she/her)", "| he/him") and emoji are no part of a name;
- "Okafor, Chidi" is written "Chidi Okafor" and greeted "Chidi"; "MARIA GARCIA" is written
  "Maria Garcia"; titles and suffixes ("Prof.", "Dr", "Jr.", "PhD") are left out of a greeting;
- a family-name-first name (a name in Han, kana or Hangul; a first word that is a common Chinese,
  Japanese, Korean, Vietnamese or Singaporean family name; a family name in capitals before the
  given name, "WANG Wei") is greeted by the full name: the first word is the family name there;
- a single name is greeted as it is; an initial ("J. Smith") or anything else unsure, by the full
  name (a title with a family name only, "Dr. Smith", keeps its title);
- a group or role mailbox is greeted by no name ("Hello,").
"""

from __future__ import annotations

import re
import unicodedata

_PRONOUNS = re.compile(
    r"[\(\[\{|,-]?\s*\b(she|he|they|ze|xe|her|him|them|any)\s*/\s*(her|hers|him|his|they|them|theirs|"
    r"she|he|ze|zir|xem|pronouns|any)(\s*/\s*\w+)?\b\s*[\)\]\}]?",
    re.IGNORECASE,
)
# What nameparser does not know as a title or suffix, but directories write.
_TITLES = {"prof", "professor", "dr", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "rev", "herr", "frau"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "cpa", "esq", "msc", "bsc", "ma", "ba", "mbe", "obe"}
# Common family names of names written family name first (Chinese, Japanese, Korean, Vietnamese,
# Singaporean, Malaysian Chinese), as they are romanised. A name starting with one is greeted in full.
FAMILY_FIRST_NAMES = frozenset(
    [
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "gao",
        "lin",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "zeng",
        "xiao",
        "tian",
        "dong",
        "pan",
        "yuan",
        "cai",
        "jiang",
        "yu",
        "du",
        "ye",
        "cheng",
        "wei",
        "su",
        "lyu",
        "lu",
        "ding",
        "ren",
        "shen",
        "yao",
        "jin",
        "fu",
        "zhong",
        "cui",
        "tan",
        "lim",
        "ng",
        "goh",
        "teo",
        "ong",
        "koh",
        "chua",
        "tay",
        "yeo",
        "quek",
        "tsang",
        "wong",
        "cheung",
        "chan",
        "leung",
        "lau",
        "kwok",
        "fung",
        "ho",
        "tse",
        "yip",
        "mak",
        "chow",
        "sato",
        "suzuki",
        "takahashi",
        "tanaka",
        "watanabe",
        "ito",
        "yamamoto",
        "nakamura",
        "kobayashi",
        "kato",
        "yoshida",
        "yamada",
        "sasaki",
        "yamaguchi",
        "matsumoto",
        "inoue",
        "kimura",
        "hayashi",
        "shimizu",
        "yamazaki",
        "mori",
        "abe",
        "ikeda",
        "hashimoto",
        "ishikawa",
        "ogawa",
        "kim",
        "lee",
        "park",
        "choi",
        "jung",
        "jeong",
        "kang",
        "cho",
        "yoon",
        "jang",
        "lim",
        "shin",
        "han",
        "oh",
        "seo",
        "kwon",
        "hwang",
        "ahn",
        "song",
        "jeon",
        "hong",
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "phan",
        "vu",
        "vo",
        "dang",
        "bui",
        "do",
        "ngo",
        "duong",
        "ly",
    ]
)
_FAMILY_FIRST_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk", "Cs") or char in "\u200d\ufe0f\u20e3"


def _title_case(word: str) -> str:
    return "-".join("'".join(p[:1].upper() + p[1:].lower() for p in part.split("'")) for part in word.split("-"))


def clean_name(name: str) -> str:
    """A display name as a message writes it: pronouns and emoji out, "Last, First" turned round,
    a name all in capitals (or a family name in capitals, "WANG Wei") in ordinary case; otherwise
    as its owner wrote it."""
    text = _strip_extras(name)
    if not text:
        return ""
    if "," in text:
        family, _, given = text.partition(",")
        rest = given.strip()
        # "Okafor, Chidi", not "Chidi Okafor, PhD" (a suffix) nor "Smith, Jr."
        if family.strip() and rest and _key(rest.split()[0]) not in _SUFFIXES and len(family.split()) <= 3:
            text = f"{rest} {family.strip()}"
    words = text.split()
    caps = [sum(c.isalpha() for c in w) > 1 and all(c.isupper() for c in w if c.isalpha()) for w in words]
    if any(caps) and any(c.isascii() and c.isalpha() for c in text):
        text = " ".join(_title_case(w) if cap else w for w, cap in zip(words, caps, strict=True))
    return text


def _key(word: str) -> str:
    return word.strip(".,").casefold()


def _family_first(name: str) -> bool:
    """Whether ``name`` (cleaned) is, or may well be, written family name first: in Han, kana or
    Hangul, or starting with a common family name of those written so."""
    if any(any(s in unicodedata.name(c, "") for s in _FAMILY_FIRST_SCRIPTS) for c in name if c.isalpha()):
        return True
    words = name.split()
    return 2 <= len(words) <= 3 and _key(words[0]) in FAMILY_FIRST_NAMES


def _caps_family_first(name: str) -> bool:
    """ "WANG Wei", "TANAKA Hiroshi": the family name in capitals, before the given name."""
    words = _strip_extras(name).split()
    if len(words) < 2 or "," in name:
        return False
    caps = [all(c.isupper() for c in w if c.isalpha()) and sum(c.isalpha() for c in w) > 1 for w in words]
    return caps[0] and not all(caps)


def _strip_extras(name: str) -> str:
    text = "".join(c for c in (name or "") if not _is_emoji(c))
    text = _PRONOUNS.sub(" ", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    return " ".join(text.split()).strip(" ,|-\u2013\u2014\"'")


def greeting_of(name: str) -> str:
    """How to greet someone named ``name`` ("Dear {name},"): the given name when it is clear, else
    the full name; "" for no name (nudges.domain.people.greeting_name decides who is greeted)."""
    written = name
    name = clean_name(written)
    if not name:
        return ""
    if _caps_family_first(written) or ("," not in written and _family_first(name)):
        return _plain_full(name)
    # Imported here: only what greets someone pays for nameparser's import (about 0.1 s cold),
    # not every function that reads an invite.
    from nameparser import HumanName

    parsed = HumanName(name)
    if parsed.nickname:
        return str(parsed.nickname)
    words = [w for w in name.split() if _key(w) not in _TITLES | _SUFFIXES]
    given = str(parsed.first) if _key(parsed.first) not in _TITLES | _SUFFIXES else ""
    if len(words) == 1 and not (parsed.title and given != words[0]):
        return words[0]  # a single name ("Madonna")
    if given and len(given.replace(".", "")) > 1 and not given.endswith("."):
        return given
    title = str(parsed.title) or next((w for w in name.split() if _key(w) in _TITLES), "")
    if title and parsed.last and (not given or len(words) == 1):
        return f"{title} {parsed.last}"  # "Dr. Smith"
    return _plain_full(name)


def _plain_full(name: str) -> str:
    """The full name, without titles and suffixes."""
    words = [w for w in name.split() if _key(w) not in _TITLES | _SUFFIXES]
    return " ".join(words) or name
