"""Recognising medicines in what the patient wrote.

Names come from the knowledge tables (medicines.toml): `blood_thinners`,
`no_hold_antiplatelets`, `glp1_agonists`, `diabetes_medicines` and `known_medicines`,
each row with generic and brand names. Matching ignores case, accents, punctuation and
the words around a name, so "ELIQUIS 5mg twice a day" is apixaban. The longest name wins
where names overlap ("insulin glargine" before "insulin"). One entry may name several
medicines ("aspirin and clopidogrel"): each is returned. Text that names no known
medicine returns nothing, and `unrecognised_words` gives the words of an entry that are
neither a known name nor dose or timing text ("fish oil" in "fish oil with vitamin D"):
the caller flags both for review, never passes them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sijcare.domain.knowledge import Knowledge, per_knowledge

V = TypeVar("V")

# Words around a medicine's name that say how much, how or when it is taken. Any other
# word left over in an entry may name a medicine the knowledge base does not know.
DOSE_WORDS = frozenset(
    """
    a an and as at by day days daily dose each every for in of on or per plus the to with
    mg mcg g gram grams ml unit units iu meq mmol percent strength extra regular low high
    tab tabs tablet tablets cap caps capsule capsules pill pills puff puffs drop drops
    patch patches cream gel ointment spray inhaler injection injections shot pen pens
    oral mouth po sq sc subq subcutaneous iv topical nasal
    er xr sr xl cr dr la ec ib pm am extended delayed release
    once twice three four times week weekly weeks month monthly morning evening night
    nightly bedtime hour hours hr hrs h q qd qhs bid tid qid prn needed directed
    prescribed take takes taking use uses using rx otc about usual usually
    """.split()
)
_DOSE_NUMBER = re.compile(r"\d+(?:[a-z]+)?|[a-z]?\d+")
Row = Mapping[str, Any]
Phrase = tuple[str, ...]


class Category(StrEnum):
    """What the screening does with a medicine: the table it is listed in."""

    BLOOD_THINNER = "blood_thinners"
    NO_HOLD = "no_hold_antiplatelets"
    GLP1 = "glp1_agonists"
    DIABETES = "diabetes_medicines"
    KNOWN = "known_medicines"


@dataclass(frozen=True)
class Medicine:
    """A known medicine: its generic name and the rows (regimens) the text may mean.

    Several rows mean the name alone does not tell the regimen (enoxaparin prophylactic
    or treatment dose; semaglutide weekly or daily).
    """

    category: Category
    generic: str
    rows: tuple[Row, ...]

    def label(self) -> str:
        """The generic name with the first brand name, like "apixaban (Eliquis)"."""
        generic = set(words(self.generic))
        names = [str(n) for n in self.rows[0].get("names", ())]
        brands = [n for n in names if not generic & set(words(n))]
        return f"{self.generic} ({brands[0]})" if brands else self.generic


@dataclass(frozen=True)
class MedicineIndex:
    """Every name phrase of the medicine tables, for `identify`."""

    phrases: Mapping[Phrase, tuple[tuple[Category, Row], ...]]
    display: Mapping[str, str]  # normalised name -> the name as written in the table


def words(text: str) -> Phrase:
    """`text` as lower-case words without accents or punctuation ("Eliquis-5mg" -> eliquis, 5mg)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return tuple(re.findall(r"[^\W_]+", plain))


# Built once per Knowledge: it normalises every name of every table, which costs more
# than the screening that asks for it.
@per_knowledge
def index_medicines(knowledge: Knowledge) -> MedicineIndex:
    """The index of the medicine tables, one per `Category`."""
    phrases: dict[Phrase, list[tuple[Category, Row]]] = {}
    display: dict[str, str] = {}
    for category in Category:
        for row in knowledge.table(category.value):
            for name in (row["id"], *row.get("names", ())):
                phrase = words(str(name))
                phrases.setdefault(phrase, []).append((category, row))
                display.setdefault(" ".join(phrase), str(name))
    return MedicineIndex(
        phrases={p: tuple(_unique(rows)) for p, rows in phrases.items()}, display=display
    )


def identify(text: str, index: MedicineIndex) -> tuple[Medicine, ...]:
    """The known medicines named in `text`, in order of appearance; () when none."""
    found: dict[tuple[Category, str], list[tuple[Row, ...]]] = {}
    for _, _, hits in find_phrases(words(text), index.phrases):
        for category in dict.fromkeys(c for c, _ in hits):
            rows = tuple(r for c, r in hits if c is category)
            found.setdefault((category, _generic(rows[0])), []).append(rows)
    return tuple(
        Medicine(category, generic, _narrowest(candidates))
        for (category, generic), candidates in found.items()
    )


def unrecognised_words(text: str, index: MedicineIndex) -> tuple[str, ...]:
    """Words of `text` outside the known names that are not dose or timing text
    (numbers like "5", "20mg" or "b12" count as dose text)."""
    text_words = words(text)
    covered = {
        i for start, end, _ in find_phrases(text_words, index.phrases) for i in range(start, end)
    }
    return tuple(
        w
        for i, w in enumerate(text_words)
        if i not in covered and w not in DOSE_WORDS and not _DOSE_NUMBER.fullmatch(w)
    )


def find_phrases(text_words: Phrase, phrases: Mapping[Phrase, V]) -> list[tuple[int, int, V]]:
    """Where the phrases occur in `text_words` (start, end, value), longest phrase first
    at each place."""
    longest = max((len(p) for p in phrases), default=0)
    found: list[tuple[int, int, V]] = []
    i = 0
    while i < len(text_words):
        for n in range(min(longest, len(text_words) - i), 0, -1):
            phrase = text_words[i : i + n]
            if phrase in phrases:
                found.append((i, i + n, phrases[phrase]))
                i += n
                break
        else:
            i += 1
    return found


def closest_names(text: str, index: MedicineIndex, limit: int = 3) -> tuple[str, ...]:
    """Known names that look like `text` (a possible misspelling), for the clinician only."""
    candidates = list(index.display)
    wanted = [" ".join(words(text)), *words(text)]
    close: list[str] = []
    for item in wanted:
        close += difflib.get_close_matches(item, candidates, n=limit, cutoff=0.8)
    return tuple(index.display[c] for c in dict.fromkeys(close))[:limit]


def choose_regimen(medicine: Medicine, requested: str | None, written: str) -> tuple[Row, ...]:
    """The rows of `medicine` meant: those whose regimen or id is `requested`, else
    those whose regimen label appears in what the patient `written` ("once weekly"),
    else all of them. A `requested` regimen the medicine lacks gives ()."""
    if requested is not None:
        wanted = words(requested)
        return tuple(r for r in medicine.rows if wanted in (words(_regimen(r)), words(r["id"])))
    text = set(words(written))
    named = tuple(r for r in medicine.rows if _regimen(r) and set(words(_regimen(r))) <= text)
    return named or medicine.rows


def regimens(medicine: Medicine) -> tuple[str, ...]:
    """The regimen labels of `medicine` (empty for a medicine with one row)."""
    return tuple(_regimen(r) for r in medicine.rows if _regimen(r))


def _regimen(row: Row) -> str:
    return str(row.get("regimen", ""))


def _generic(row: Row) -> str:
    return str(row.get("medicine", row["id"]))


def _narrowest(candidates: list[tuple[Row, ...]]) -> tuple[Row, ...]:
    """Rows every mention agrees on ("Ozempic (semaglutide)" -> weekly), else all."""
    common = [r for r in candidates[0] if all(r in c for c in candidates[1:])]
    if common:
        return tuple(common)
    return tuple(_unique(r for rows in candidates for r in rows))


def _unique(items: Iterable[V]) -> list[V]:
    out: list[V] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
