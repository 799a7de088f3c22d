"""Errors the core raises for input it cannot assess."""

from __future__ import annotations


class InputError(ValueError):
    """Input that cannot be assessed, with where it came from.

    `where` names the field (``anesthetic.agent``) or the file and line
    (``diary.csv:7``) so that a person can find and fix it.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message

    def within(self, outer: str) -> InputError:
        """The same error located inside `outer` (a file name, or a parent field)."""
        where = f"{outer}: {self.where}" if self.where else outer
        return InputError(where, self.message)
