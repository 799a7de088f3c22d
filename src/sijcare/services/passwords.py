"""Password hashing with argon2id, and the rules a new password must meet."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sijcare.services.errors import FieldError, Message, msg

# NIST SP 800-63B asks for at least 8 characters; the clinic's records warrant more.
MIN_LENGTH = 12
MAX_LENGTH = 200


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


def problems(password: str, *, field: str = "new_password") -> list[FieldError]:
    """What is wrong with `password` as a new password (empty when it is acceptable)."""
    message: Message | None = None
    if len(password) < MIN_LENGTH:
        message = msg("Use at least {count} characters.", count=MIN_LENGTH)
    elif len(password) > MAX_LENGTH:
        message = msg("Use at most {count} characters.", count=MAX_LENGTH)
    elif not password.strip():
        message = msg("The password cannot be only spaces.")
    return [] if message is None else [FieldError(field, message)]


def temporary_password() -> str:
    """A random password for an admin reset: 4 groups of 4 letters and digits, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
