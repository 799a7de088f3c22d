"""Phone numbers people type for the clinic to call: a plain check of their form."""

from __future__ import annotations

from sijcare.services.errors import Message, msg

# Digits and the usual separators; 7 to 15 digits (a local number up to the longest
# international one, E.164).
_PHONE_CHARACTERS = frozenset("0123456789 +-().")


def phone_problem(phone: str) -> Message | None:
    """Why `phone` cannot be a phone number to call, or None."""
    digits = sum(character.isdigit() for character in phone)
    if set(phone) <= _PHONE_CHARACTERS and 7 <= digits <= 15:
        return None
    return msg("Enter a phone number with its area code, like 310 555 0147.")
