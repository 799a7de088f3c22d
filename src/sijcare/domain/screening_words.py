"""Every sentence a patient reads in a screening result (`domain.screening`): each
finding's, by a name of its sentence, and each dated action's, by the action's code.

`{name}` is filled in from the intake, the knowledge and the procedure time: the names
of the medicines as the knowledge gives them, the patient's own words for a medicine or
a temperature, numbers as text or with their format specs, and moments as `Words` or a
`Day` (a moment is `timeline.spoken_words`: "Tuesday, March 10 at 8:00 am", or midnight
between two days). Short sentences, everyday words, "you" (grade 6-8). The clinicians'
rationale and options stay in the rules: they are not translated. A sentence here must
read as the English screening always did: `tests/unit/test_screening_words.py` holds
that English.
"""

from __future__ import annotations

from typing import Any

from sijcare.domain.words import Words, words

# Said after a sentence when the injection must wait (its `{postponed}`).
POSTPONED = words(
    "To keep you safe from infection, the injection must wait until you are well. "
    "The clinic will call you to set a new date."
)

# Each finding's sentence, by its name (the finding's code, or the code and a variant).
FINDINGS: dict[str, Words] = {
    # -- medicines ---------------------------------------------------------------------------
    # {name} is the medicine as the patient wrote it, in quotes.
    "medicine.unknown": words(
        "We could not recognise all of {name}. A nurse or doctor will check it with you. "
        "Keep taking it as usual until then."
    ),
    "medicine.no_hold": words(
        "Keep taking your {medicine} as usual. You do not need to stop it for this injection."
    ),
    "blood_thinner.review": words(
        "You take {medicine}, a blood thinner. Keep taking it as usual for now. Do not stop "
        "it on your own. Your care team will talk with the doctor who prescribed it, and "
        "then tell you if and when to pause it."
    ),
    "blood_thinner.hold_too_late": words(
        "Your care team and your doctor agreed to pause your {medicine} for the procedure, "
        "but the time to stop it had already passed. Keep taking it as usual for now. Do "
        "not stop it on your own. The clinic will call you about the date of your injection."
    ),
    "blood_thinner.continue": words(
        "Keep taking your {medicine} as usual, also on the day of the procedure. Your care "
        "team has checked this."
    ),
    # {last_dose} and {restart} are a day and a time, like "Tuesday, March 10 at
    # 8:00 am", or "midnight between Monday, March 9 and Tuesday, March 10".
    "blood_thinner.hold": words(
        "Your care team and the doctor who prescribed your {medicine} agreed to pause it "
        "for the procedure. Take your last dose no later than {last_dose}. Then take no "
        "more until after the procedure. Start it again at your usual dose time from "
        "{restart}, unless a doctor tells you otherwise."
    ),
    "blood_thinner.hold_with_inr": words(
        "Your care team and the doctor who prescribed your {medicine} agreed to pause it "
        "for the procedure. Take your last dose no later than {last_dose}. Then take no "
        "more until after the procedure. Start it again at your usual dose time from "
        "{restart}, unless a doctor tells you otherwise. Before the procedure, a blood "
        "test (INR) must show that your blood clots normally."
    ),
    "glp1.keep_taking": words("Keep taking your {medicine} as usual."),
    "glp1.continue": words(
        "Keep taking your {medicine} as usual. Your care team has checked this."
    ),
    "glp1.review": words(
        "You take {medicine}. Medicines like this slow down how fast your stomach empties, "
        "which matters when you have sedation. A doctor will check whether to pause it "
        "before the procedure. Keep taking it as usual until your care team tells you "
        "otherwise."
    ),
    # {when} is one of the two sentences below it (the weekly or the daily hold).
    "glp1.hold": words(
        "Your care team and the doctor who prescribed your {medicine} agreed to pause it "
        "before the procedure. {when} Ask your care team when to start it again."
    ),
    # -- sedation and the driver -------------------------------------------------------------
    # {food_until}, {liquids_until} and {arrival} are a day and a time, like
    # "Tuesday, March 10 at 8:00 am", or "midnight between Monday, March 9 and Tuesday,
    # March 10".
    "fasting.sedation": words(
        "You will get medicine to help you relax (sedation), so your stomach must be empty. "
        "Do not eat anything after {food_until}. You may drink clear liquids until "
        "{liquids_until}: water, clear juice without pulp, clear tea or black coffee (no "
        "milk or cream). After that, have nothing to eat or drink. Arrive at the clinic on "
        "{arrival}."
    ),
    "driver.missing_with_sedation": words(
        "You will get medicine to help you relax (sedation), so an adult must drive you "
        "home. Without a driver the procedure cannot go ahead. Please arrange one and tell "
        "the clinic, or the clinic will move your procedure to a new date."
    ),
    "driver.missing": words(
        "Please arrange an adult to drive you home after the procedure. Your leg may feel "
        "weak or numb for a few hours, so you should not drive yourself."
    ),
    # -- diabetes ----------------------------------------------------------------------------
    "diabetes.no_steroid": words(
        "This injection has no steroid, so it should not raise your blood sugar. Take your "
        "diabetes medicines as usual unless your care team tells you otherwise."
    ),
    # {last_day} and {peak_day} are days, like "Thursday, March 12"; {call} is a
    # blood sugar level, like "300 mg/dL (16.7 mmol/L)".
    "diabetes.steroid_glucose": words(
        "The steroid in your injection can raise your blood sugar for a few days. Check "
        "your blood sugar more often than usual from the injection through {last_day}. It "
        "is likely to be highest on {peak_day}. Call the doctor who manages your diabetes "
        "if it is above {call}."
    ),
    "diabetes.fasting_plan": words(
        "You have diabetes and will need to fast before the procedure. A nurse or doctor "
        "will tell you how to take your diabetes medicines while you fast. Until then, do "
        "not change them on your own."
    ),
    "diabetes.fasting_plan_insulin": words(
        "You have diabetes and will need to fast before the procedure. A nurse or doctor "
        "will tell you how to take your diabetes medicines and insulin while you fast. "
        "Until then, do not change them on your own."
    ),
    # -- infection ---------------------------------------------------------------------------
    "infection.active": words("You told us you have an infection now. {postponed}"),
    # {reading} is the temperature the patient gave, like "38.5 °C".
    "fever.below_threshold": words(
        "Thank you for telling us your temperature ({reading}). It is not a fever. Tell "
        "the clinic if you get a fever before the procedure."
    ),
    "fever.not_recent": words(
        "Your fever ({reading}) was more than {days} days before the procedure. Tell the "
        "clinic if you get a fever before the procedure."
    ),
    "fever.recent": words("You had a fever ({reading}) shortly before your procedure. {postponed}"),
    "illness.current": words("You told us you are unwell now. {postponed}"),
    "illness.recent": words("You were ill shortly before your procedure. {postponed}"),
    "illness.resolved": words(
        "Thank you for telling us about your illness. Tell the clinic if you get ill again "
        "before the procedure."
    ),
    "immunocompromise": words(
        "Because your body may fight infection less well, a doctor will check that the "
        "injection is safe for you before the procedure."
    ),
    "pregnancy.possible": words(
        "Because you might be pregnant, a doctor will review your plan before the "
        "procedure. X-rays, which are used to guide the needle, may not be safe for a baby."
    ),
    # -- allergies and past reactions --------------------------------------------------------
    "allergy.anesthetic": words(
        "You told us about a reaction to numbing medicine (a local anesthetic). A doctor "
        "will check which medicine is safe for you before the procedure."
    ),
    "allergy.steroid_not_planned": words(
        "Thank you for telling us. This injection has no steroid."
    ),
    "allergy.steroid": words(
        "You told us about a reaction to a steroid. The injection is planned with a "
        "steroid, so a doctor will check what is safe for you."
    ),
    "allergy.prepare_room": words(
        "Thank you for telling us about this allergy. The team will prepare the room and "
        "supplies so they are safe for you."
    ),
    "allergy.shellfish_not_contrast": words(
        "Thank you for telling us. A shellfish allergy does not make a reaction to X-ray "
        "dye more likely."
    ),
    "allergy.recorded": words("Thank you for telling us about this allergy. It is in your record."),
    "reaction.other": words(
        "Thank you for telling us about a problem you had before. A doctor will look at it "
        "before the procedure."
    ),
    "contrast.not_planned": words(
        "You told us you had a reaction to contrast dye (X-ray dye). No dye is planned for "
        "your injection."
    ),
    "contrast.prior_reaction": words(
        "You told us you had a reaction to contrast dye (X-ray dye). A doctor will choose "
        "how to keep you safe: medicines to take before the procedure, or guiding the "
        "needle with ultrasound without dye. Do not take any medicine for this until the "
        "clinic tells you what to take and when."
    ),
}

# A GLP-1 agonist's hold, in the sentence `glp1.hold`, by the medicine's regimen.
# {when} is a day and a time, like "Tuesday, March 10 at 8:00 am"; {day} a day,
# like "Tuesday, March 10".
GLP1_HOLDS: dict[str, Words] = {
    "weekly": words("Take your last weekly dose no later than {when}."),
    "daily": words("Do not take it on {day}, the day of the procedure."),
}

# Each dated action's sentence, by the action's code (the page gives its time beside it).
ACTIONS: dict[str, Words] = {
    "driver.arrange": words("Come with an adult who will drive you home after the procedure."),
    "blood_thinner.last_dose": words(
        "Take your last dose of {medicine} before the procedure by this time."
    ),
    "blood_thinner.restart": words(
        "Start {medicine} again from this time, at your usual dose time."
    ),
    "blood_thinner.inr_check": words(
        "Blood test (INR) before the procedure: it must show that your blood clots normally."
    ),
    "glp1.last_dose": words(
        "Take your last weekly dose of {medicine} before the procedure by this time."
    ),
    "glp1.skip_procedure_day": words("Do not take {medicine} on the day of the procedure."),
    "fasting.food_stop": words("Stop eating: nothing to eat from this time on."),
    "fasting.clear_liquids_stop": words(
        "Stop drinking: nothing to drink from this time on, not even clear liquids."
    ),
    "visit.arrival": words("Arrive at the clinic."),
    # {call} is a blood sugar level, like "300 mg/dL (16.7 mmol/L)".
    "diabetes.check_glucose_often": words(
        "Start checking your blood sugar more often than usual. Call the doctor who manages "
        "your diabetes if it is above {call}."
    ),
    "diabetes.glucose_peak_day": words(
        "Your blood sugar is likely to be highest today: check it more often."
    ),
    "diabetes.usual_checks": words("You can go back to your usual blood sugar checks."),
}


def finding_words(sentence: str, /, **values: Any) -> Words:
    """The finding sentence `sentence` (a key of `FINDINGS`), filled in with `values`."""
    return FINDINGS[sentence].filled(**values)


def action_words(code: str, /, **values: Any) -> Words:
    """The sentence of the action `code`, filled in with `values`."""
    return ACTIONS[code].filled(**values)


def postponed(sentence: str, /, **values: Any) -> Words:
    """The finding sentence `sentence` that says the injection must wait (`{postponed}`)."""
    return finding_words(sentence, postponed=POSTPONED, **values)
