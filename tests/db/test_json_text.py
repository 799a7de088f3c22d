"""`db.engine.json_text`: the text the engines store for a JSON document."""

from __future__ import annotations

import json

import pytest

from sijcare.db.engine import json_text


def test_a_document_is_compact_utf8_json_of_the_same_value() -> None:
    document = {"pain": 4, "note": "dolor leve", "at": [1.5, None, True], "nested": {"a": {}}}
    text = json_text(document)
    assert text == '{"pain":4,"note":"dolor leve","at":[1.5,null,true],"nested":{"a":{}}}'
    assert json.loads(text) == document


def test_keys_that_are_not_strings_are_written_as_json_dumps_writes_them() -> None:
    # Tried without orjson's option first (it slows every document): the same text.
    document = {1: "one", "two": {3: [4]}, "x": {True: None}}
    assert json.loads(json_text(document)) == json.loads(json.dumps(document))
    assert json_text({"a": {7: 1}}) == '{"a":{"7":1}}'


def test_a_value_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError):
        json_text({"a": object()})
    with pytest.raises(TypeError):
        json_text({1: object()})
