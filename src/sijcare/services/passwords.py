"""Password hashing with argon2id, and the rules a new password must meet."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sijcare.services import password_policy
from sijcare.services.errors import FieldError

MIN_LENGTH = password_policy.MIN_LENGTH
MAX_LENGTH = password_policy.MAX_LENGTH


class Passwords:
    """Hashes and checks passwords. `fast=True` (tests only) uses cheap argon2 settings."""

    def __init__(self, *, fast: bool = False) -> None:
        if fast:
            self._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


def problems(
    password: str, *, field: str = "new_password", context: Iterable[str] = ()
) -> list[FieldError]:
    """What is wrong with `password` as a new password (empty when it is acceptable).

    The rules (NIST SP 800-63B: length, breached and common passwords, runs, the
    account's own words) are in `sijcare.services.password_policy`.
    """
    return password_policy.problems(password, field=field, context=context)


def temporary_password() -> str:
    """A random password for an admin reset: 4 groups of 4 letters and digits, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
