"""Limits of API fields shared by the route modules (tests/hardening/test_field_limits.py).

A schema limit refuses what is never valid, whatever the clinic's configuration; the
exact check stays in the service or the core, which reports every field at once with a
clear message. So clinical numbers are not repeated here: the bound of a documented
amount is the highest value any clinic may configure (the rule's override limit in the
knowledge files), a reading gets a physical sanity bound, and the clinic's own bounds are
checked by `formats/` and `domain/`. Web-layer limits (lengths, list sizes, offsets) are
named constants.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request

from sijcare import knowledge as knowledge_loader
from sijcare.formats.report import MG_DL_PER_MMOL_L

# Patient public ids, as `db.models.patient.new_public_id` makes them: "p" + 16 hex digits.
PATIENT_ID_PATTERN = r"^p[0-9a-f]{16}$"
PATIENT_ID_LENGTH = 17
PatientId = Annotated[
    str,
    Path(
        pattern=PATIENT_ID_PATTERN,
        max_length=PATIENT_ID_LENGTH,
        description="The patient's public id, like p0123456789abcdef",
    ),
]
# Payer profile ids are short names of the knowledge table `payer_profiles` ("medicare").
PAYER_ID_MAX_LENGTH = 40
PayerQuery = Annotated[
    str,
    Query(max_length=PAYER_ID_MAX_LENGTH, description="A payer profile id, like medicare"),
]
# The `locale` and `time_zone` columns of `user_account` (an IANA zone name fits in 64).
LOCALE_MAX_LENGTH = 8
TIME_ZONE_MAX_LENGTH = 64
# An uploaded file, or a request body that is one (DIARY.csv, a FHIR Bundle).
MAX_UPLOAD_BYTES = 2_000_000


async def bounded_body(request: Request, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The request's body, read only to past `limit` bytes: a longer one is refused by
    the caller (which sees it is too long) without being held in memory whole."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            break
    return bytes(body)


# A search text longer than the longest name (the `patient.name` column) finds nothing.
SEARCH_MAX_LENGTH = 200
# The `audit_event.action` column.
AUDIT_ACTION_MAX_LENGTH = 80
# The `pathway.close_reason` column.
CLOSE_REASON_MAX_LENGTH = 500
# A slot is at least a minute and at most a day (the service accepts a narrower range).
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 1, 24 * 60
# No table holds more rows than its 32-bit ids can number, so no offset goes further.
MAX_OFFSET = 2**31 - 1

# Physical sanity bounds for readings, not clinical ones: a clinic may override the
# accepted ranges (`triage.temperature_c_accepted`, `triage.glucose_mg_dl_accepted`)
# without a limit, so only what no body can be is refused here. A body is mostly
# water: liquid between its freezing and boiling points (0-100 °C, 32-212 °F).
TEMPERATURE_C_MIN, TEMPERATURE_C_MAX = 0.0, 100.0
TEMPERATURE_F_MIN, TEMPERATURE_F_MAX = 32.0, 212.0
# More than 1 g of glucose per mL is more than water dissolves (about 0.9 g/mL).
BLOOD_SUGAR_MG_DL_MAX = 100_000.0
BLOOD_SUGAR_MMOL_L_MAX = round(BLOOD_SUGAR_MG_DL_MAX / MG_DL_PER_MMOL_L, 1)

_SHIPPED = knowledge_loader.load()


def override_ceiling(rule: str) -> float:
    """The highest value a clinic configuration may give `rule` (its `max` limit)."""
    return float(_SHIPPED.rule(rule).limits["max"])


# Documented amounts: the core refuses what is above the clinic's configured value.
ANESTHETIC_CONCENTRATION_MAX_PERCENT = override_ceiling(
    "procedure.anesthetic_concentration_max_percent"
)
ANESTHETIC_VOLUME_MAX_ML = override_ceiling("procedure.anesthetic_volume_max_ml")
STEROID_DOSE_MAX_MG = override_ceiling("procedure.steroid_dose_max_mg")
# The pain scale (0-10 NRS) is a definition, not a clinic's choice.
PAIN_MIN = _SHIPPED.integer("pain.scale_min")
PAIN_MAX = _SHIPPED.integer("pain.scale_max")
