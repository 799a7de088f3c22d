"""What makes a new password unacceptable, after NIST SP 800-63B (section 5.1.1.2).

A password is refused when it
- is shorter than `MIN_LENGTH` or longer than `MAX_LENGTH` characters (spaces count; no
  truncation), or is only spaces;
- is a commonly used or breached password (`data/common-passwords.txt`, 30,000 entries),
  also with digits or symbols added at the end ("monkey123456") or when typed twice;
- is one character repeated or a keyboard or alphabet run ("aaaaaaaaaaaa",
  "123456789012", "qwertyuiopas");
- contains the account's e-mail name, a word of the person's name (four letters or
  more), or the product's name.
There are no composition rules (no "one digit, one symbol") and no expiry: 800-63B asks
for neither. Comparisons ignore case and spaces at the ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sijcare.services.errors import FieldError, Message, msg

# NIST SP 800-63B asks for at least 8 characters; the clinic's records warrant more.
MIN_LENGTH = 12
MAX_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).resolve().parents[1] / "data" / "common-passwords.txt"
PRODUCT_WORDS = ("sijcare",)
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_SUFFIX = re.compile(r"[\d\W_]+$")
_MIN_CONTEXT_WORD = 4


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords (lowercase)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problems(
    password: str, *, field: str = "new_password", context: Iterable[str] = ()
) -> list[FieldError]:
    """What is wrong with `password` as a new password (empty when it is acceptable).

    `context` holds the account's own words: its e-mail address and the person's name.
    """
    message = _problem(password, context)
    return [] if message is None else [FieldError(field, message)]


def _problem(password: str, context: Iterable[str]) -> Message | None:
    if len(password) < MIN_LENGTH:
        return msg("Use at least {count} characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return msg("Use at most {count} characters.", count=MAX_LENGTH)
    if not password.strip():
        return msg("The password cannot be only spaces.")
    folded = password.strip().lower()
    if is_common(folded) or is_run(folded):
        return msg(
            "This password is too easy to guess: it is common or appears in known data "
            "breaches. Try a few unrelated words."
        )
    if any(word in folded for word in context_words(context)):
        return msg("Do not use your name, your e-mail address or the name of this service.")
    return None


def is_common(folded: str) -> bool:
    """A listed password, with digits or symbols added, or typed twice."""
    words = common_passwords()
    base = _SUFFIX.sub("", folded)
    half = len(folded) // 2
    twice = len(folded) % 2 == 0 and folded[:half] == folded[half:]
    return folded in words or base in words or (twice and folded[:half] in words)


def is_run(folded: str) -> bool:
    """One character repeated, or a stretch of the alphabet, the digits or a keyboard row."""
    compact = folded.replace(" ", "")
    if len(set(compact)) <= 2:
        return True
    return any(compact in run * 2 or compact in run[::-1] * 2 for run in _RUNS)


def context_words(context: Iterable[str]) -> set[str]:
    """The words a password must not contain: e-mail name, name words, product name."""
    words = set(PRODUCT_WORDS)
    for text in context:
        local = text.split("@", 1)[0] if "@" in text else text
        words |= {
            part for part in re.split(r"[\W_]+", local.lower()) if len(part) >= _MIN_CONTEXT_WORD
        }
    return words
