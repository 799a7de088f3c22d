"""Patient-facing text that lives in the knowledge files, marked here for translation.

The leaflet names each risk by its label in the `injection_risks` table. The catalogue
is extracted from code, not from the knowledge files, so the shipped labels are listed
here; `tests/web/test_i18n.py` checks the list against the shipped table. A clinic that
writes its own labels sees them as written, in every language.
"""

from __future__ import annotations

from sijcare.services.errors import msg

RISK_LABELS = (
    msg("An infection of the skin where the needle went in"),
    msg("A bad allergy to one of the medicines"),
    msg("Feeling faint, or fainting, during or just after the shot"),
    msg("Soreness where the needle went in"),
    msg("More pain than usual for a few days"),
    msg("A red, warm face (flushing) or sweating"),
    msg("Numbness or weakness in the leg for a few hours"),
)
