"""The privacy screen: text meant for publication must not carry personal data.

Coordinators write what people said at interviews and partnership tables; a name or a phone number slips in
easily, and a report is public. The screen looks for what is recognisable with confidence:

- Finnish personal identity codes (henkilötunnus, DDMMYYCNNNX): a valid check character makes it certain; a
  string of the same shape with a wrong check character is refused too (a mistyped code is still one);
- e-mail addresses, also written "nimi(at)kunta.fi";
- phone numbers (Google's libphonenumber rules for Finland, also +358 and other countries' numbers);
- names of persons: a common Finnish first name followed by a capitalised word ("Liisa Korhonen"), or a
  common surname followed by a first name. The name lists are the Digital and Population Data Services
  Agency's open statistics of the most common names, as shipped by Faker (fi_FI).

A finding says what and where (character positions) with the text masked, so the message itself does not
repeat the personal data into logs. It cannot find everything (a rare name, an address); the template's
instructions say what not to write.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum.fi import hetu

KINDS = {
    "identity_code": "a personal identity code (henkilötunnus)",
    "identity_code_like": "what looks like a personal identity code (henkilötunnus, check character wrong)",
    "email": "an e-mail address",
    "phone": "a phone number",
    "person_name": "a person's name",
}

_HETU = re.compile(r"(?<![0-9A-Za-z])(\d{6})([-+A-FU-Ya-fu-y])(\d{3})([0-9A-Za-z])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\]|\{at\})\s?[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.IGNORECASE)
_WORD = re.compile(r"[A-ZÅÄÖÜ][a-zåäöüéè]+(?:-[A-ZÅÄÖÜ][a-zåäöüéè]+)?")
# Words that make a name an organisation's ("Toivo Kuulan seura ry"): a whole word (short ones) or the end of
# a compound ("kyläyhdistys", "urheiluseura"). None is the end of a common surname.
# (Not "tmi": a sole trader's business name is a person's name.)
_ORGANISATION_TOKENS = frozenset({"ry", "r.y", "rf", "oy", "oyj", "ab", "ky", "ay", "osk"})
_ORGANISATION_ENDINGS = (
    "osuuskunta", "säätiö", "seura", "yhdistys", "kerho", "klubi", "liitto", "piiri", "kunta", "kaupunki",
    "hyvinvointialue", "koulu", "kirjasto", "keskus", "yhtiö", "kuoro", "kilta", "toimikunta", "verkosto",
    "järjestö", "ryhmä", "palvelut", "instituutti", "opisto", "yritys", "kahvila",
)


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text: kind, where (0-based character span) and a masked copy."""

    kind: str
    start: int
    end: int
    masked: str

    def describe(self) -> str:
        """'a phone number at characters 12–24 (040 *** ****)'; positions are 1-based for people."""
        return f"{KINDS[self.kind]} at characters {self.start + 1}–{self.end} ({self.masked})"


@dataclass(frozen=True)
class NameLists:
    """First names and surnames a person's name is recognised by (exact, capitalised spelling)."""

    first_names: frozenset[str]
    surnames: frozenset[str]


@functools.cache
def finnish_names() -> NameLists:
    """The most common Finnish first names and surnames (DVV open data, via Faker's fi_FI provider)."""
    from faker.providers.person.fi_FI import Provider

    first = {*Provider.first_names_female, *Provider.first_names_male}
    # a hyphenated first name ("Anna-Liisa") is also matched part by part
    first |= {part for name in first for part in name.split("-")}
    return NameLists(frozenset(first), frozenset(Provider.last_names))


def _mask(text: str, keep: int = 1) -> str:
    """'Korhonen' → 'K*******': keep the first characters of each word, hide the rest (digits too)."""
    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        return w[:keep] + "*" * (len(w) - keep)

    return re.sub(r"[\w]+", word, text)


def _identity_codes(text: str) -> list[Finding]:
    found = []
    for m in _HETU.finditer(text):
        candidate = m.group(0).upper()
        valid = hetu.is_valid(candidate, allow_temporary=True)
        day, month = int(candidate[:2]), int(candidate[2:4])
        if valid or (1 <= day <= 31 and 1 <= month <= 12):
            kind = "identity_code" if valid else "identity_code_like"
            found.append(Finding(kind, m.start(), m.end(), candidate[:6] + candidate[6] + "****"))
    return found


def _emails(text: str) -> list[Finding]:
    out = []
    for m in _EMAIL.finditer(text):
        local, _, domain = re.split(r"\s?(@|\(at\)|\[at\]|\{at\})\s?", m.group(0), maxsplit=1, flags=re.I)
        out.append(Finding("email", m.start(), m.end(), f"{_mask(local)}@{_mask(domain.rsplit('.', 1)[0])}."
                           f"{domain.rsplit('.', 1)[-1]}"))
    return out


def _phones(text: str) -> list[Finding]:
    out = []
    for m in phonenumbers.PhoneNumberMatcher(text, "FI", leniency=phonenumbers.Leniency.VALID):
        raw = m.raw_string
        shown = raw[:3] + re.sub(r"\d", "*", raw[3:])
        out.append(Finding("phone", m.start, m.end, shown))
    return out


def _person_names(text: str, names: NameLists, allowed: Collection[str]) -> list[Finding]:
    words = list(_WORD.finditer(text))
    out = []
    for first, second in zip(words, words[1:], strict=False):
        if text[first.end():second.start()] != " ":
            continue
        a, b = first.group(0), second.group(0)
        if not ((a in names.first_names and b not in names.first_names) or
                (a in names.first_names and b in names.surnames) or
                (a in names.surnames and b in names.first_names)):
            continue
        span = text[first.start():second.end()]
        if any(span in allowed_text for allowed_text in allowed):
            continue
        out.append(Finding("person_name", first.start(), second.end(), _mask(span)))
    return out


def is_organisation_name(name: str) -> bool:
    """Does an actor's name say it is an organisation (ry, oy, seura, kunta…)?"""
    tokens = [t.strip(".,()\"'").casefold() for t in name.split()]
    return any(t in _ORGANISATION_TOKENS or t.endswith(_ORGANISATION_ENDINGS) for t in tokens)


def screen_text(
    text: str,
    *,
    names: NameLists | None = None,
    allowed: Iterable[str] = (),
    kinds: Collection[str] = tuple(KINDS),
) -> list[Finding]:
    """Personal data in `text`, in the order they occur.

    allowed: texts in which a name-like pair is not a person (organisation names from the Actors sheet,
        area names), e.g. "Aino Acktén seura ry" lets "Aino Acktén" pass.
    kinds: which kinds to look for (default: all).
    """
    if not text:
        return []
    names = names or finnish_names()
    allowed = tuple(allowed)
    found: list[Finding] = []
    if {"identity_code", "identity_code_like"} & set(kinds):
        found += [f for f in _identity_codes(text) if f.kind in kinds]
    if "email" in kinds:
        found += _emails(text)
    if "phone" in kinds:
        taken = [(f.start, f.end) for f in found]  # digits of an identity code are not a phone number too
        found += [f for f in _phones(text) if not any(s < f.end and f.start < e for s, e in taken)]
    if "person_name" in kinds:
        found += _person_names(text, names, allowed)
    return sorted(found, key=lambda f: (f.start, f.kind))
