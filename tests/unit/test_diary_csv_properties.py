"""Properties of the DIARY.csv reader and writer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from sijcare.domain.errors import InputError
from sijcare.domain.relief import NRS_MAX, NRS_MIN, PainScore
from sijcare.formats.diary import NOTE_MAX_LENGTH, format_diary, parse_diary_text

offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
notes = st.one_of(st.none(), st.text(min_size=1, max_size=40))


@st.composite
def diaries(draw: st.DrawFn) -> list[PainScore]:
    times = draw(st.lists(instants, max_size=8, unique=True))
    return [
        PainScore(
            recorded_at=at.astimezone(draw(offsets)),
            pain=draw(st.integers(NRS_MIN, NRS_MAX)),
            note=draw(notes),
            activity_done=draw(st.one_of(st.none(), st.booleans())),
        )
        for at in times
    ]


@given(diaries())
def test_written_diary_reads_back_the_same(entries: list[PainScore]) -> None:
    parsed = parse_diary_text(format_diary(entries), what="diary.csv")
    assert parsed == tuple(entries)
    assert [p.recorded_at.utcoffset() for p in parsed] == [
        e.recorded_at.utcoffset() for e in entries
    ]


def test_longest_note_reads_back_and_a_longer_one_is_refused() -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    longest = [PainScore(at, 3, note="a," * (NOTE_MAX_LENGTH // 2))]
    assert parse_diary_text(format_diary(longest), what="diary.csv") == tuple(longest)
    too_long = [PainScore(at, 3, note="x" * (NOTE_MAX_LENGTH + 1))]
    try:
        parse_diary_text(format_diary(too_long), what="diary.csv")
    except InputError as exc:
        assert exc.where == "diary.csv:2: note"
    else:
        raise AssertionError("a note over the limit was read")


@given(st.text())
def test_any_text_is_read_or_refused_with_an_input_error(text: str) -> None:
    try:
        parse_diary_text(text, what="diary.csv")
    except InputError as exc:
        assert exc.where.startswith("diary.csv:")


@given(st.text(alphabet=st.characters(), max_size=200))
def test_any_row_after_a_valid_header_is_read_or_refused(row: str) -> None:
    text = "recorded_at,pain,note,activity_done\n" + row
    try:
        parse_diary_text(text, what="d.csv", performed_at=datetime(2026, 1, 1, tzinfo=UTC))
    except InputError as exc:
        assert exc.where.startswith("d.csv:")


fields = st.one_of(
    st.sampled_from(["", "7", "-1", "11", "7.5", "yes", "no", "2026-03-02T09:00:00-08:00"]),
    st.text(max_size=30),
)


@given(st.lists(st.lists(fields, min_size=1, max_size=5), max_size=5))
def test_rows_of_near_valid_values_are_read_or_refused(rows: list[list[str]]) -> None:
    text = "recorded_at,pain,note,activity_done\n" + "\n".join(",".join(r) for r in rows)
    try:
        parse_diary_text(text, what="d.csv")
    except InputError as exc:
        assert exc.where.startswith("d.csv:")
