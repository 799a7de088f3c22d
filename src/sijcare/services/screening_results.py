"""A screening result as stored in `ScreeningResponse.result`, and its patient sentences
read back for a page.

The stored form is the JSON of the core's `ScreeningResult` (`formats.jsonout`, the shape
the CLI writes and the API and FHIR read) with each patient sentence's `Words` beside its
English, so that a page shows it in the reader's language (ADR 0007): `findings[i].words`
beside `patient_message`, and `words` beside the `what` of each action (`actions[j]` and
`findings[i].actions[j]`), in the form of `formats.words`. The clinicians' rationale and
options are English only, and keep no words.

A result stored before the words were kept, or whose words no longer read as its English,
gives its English: a page shows it with the English-only notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sijcare.domain.screening import Action, ScreeningResult
from sijcare.domain.words import Words
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.words import words_or_english, words_to_json

# A patient sentence for a page: its `Words`, or its English when it has none.
Said = Words | str


def stored_result(result: ScreeningResult) -> dict[str, Any]:
    """`result` as stored: its JSON and each patient sentence's words beside its English."""
    stored: dict[str, Any] = to_jsonable(result)
    for finding, kept in zip(result.findings, stored["findings"], strict=True):
        _keep(kept, finding.words)
        for action, kept_action in zip(finding.actions, kept["actions"], strict=True):
            _keep(kept_action, action.words)
    for action, kept in zip(result.actions, stored["actions"], strict=True):
        _keep(kept, action.words)
    return stored


def _keep(kept: dict[str, Any], said: Words | None) -> None:
    if said is not None:
        kept["words"] = words_to_json(said)


def said_finding(finding: Mapping[str, Any]) -> Said:
    """A stored finding's patient sentence: its words when they read as its English."""
    return words_or_english(str(finding["patient_message"]), finding.get("words"))


def stored_actions(result: Mapping[str, Any] | None) -> list[Action]:
    """The dated actions of a stored result (none without one), each with its words when
    they were stored and still read as its English (else `Action.words` is None)."""
    return [_action(kept) for kept in (result or {}).get("actions", ())]


def _action(kept: Mapping[str, Any]) -> Action:
    what = str(kept["what"])
    said = words_or_english(what, kept.get("words"))
    return Action(
        datetime.fromisoformat(str(kept["at"])),
        what,
        str(kept["code"]),
        str(kept.get("about", "")),
        said if isinstance(said, Words) else None,
    )
