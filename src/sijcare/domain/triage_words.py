"""Every sentence a patient reads in a triage answer (`domain.triage`): each reason's, by
its code, the signs at the injection site, and the steps of what to do.

`{name}` is filled in from the report, the knowledge and the injection time; numbers keep
their format specs (`{days:g}`) in every language. Short sentences, everyday words, "you"
(grade 6-8). The clinicians' rationale stays in `domain.triage`: it is not translated.
"""

from __future__ import annotations

from typing import Any

from sijcare.domain.words import Clock, Day, Words, plural_words, words

# Each reason's sentence, by the reason's code.
REASONS: dict[str, Words] = {
    # emergency
    "trouble_breathing": words(
        "Trouble breathing can be a serious allergic reaction. You need help right away."
    ),
    "face_or_throat_swelling": words(
        "Swelling of your face, lips or throat can be a serious allergic reaction. "
        "You need help right away."
    ),
    "new_bladder_or_bowel_change": words(
        "You have a new problem holding or passing urine or stool. It can mean pressure on "
        "the nerves in your back. You need help right away."
    ),
    "saddle_numbness": words(
        "You have new numbness between your legs or around your bottom. It can mean pressure "
        "on the nerves in your back. You need help right away."
    ),
    "weakness_both_legs": words(
        "You have weakness in both legs. It can mean pressure on the nerves in your back. "
        "You need help right away."
    ),
    "fever_back_pain_and_leg_signs": words(
        "A fever with new, bad back pain and a weak or numb leg can mean a serious infection "
        "near the spine. You need help right away."
    ),
    # call now
    "new_severe_back_pain": words(
        "New, bad back pain after the injection needs a doctor to check it."
    ),
    "headache_worse_standing": words(
        "A headache that gets worse when you stand up needs a doctor to check it."
    ),
    "fever": words(
        "Your temperature is {celsius:.1f} °C ({fahrenheit:.1f} °F). A fever after the "
        "injection can be a sign of infection."
    ),
    "site_infection_signs": words("{signs} where the needle went in can be a sign of infection."),
    "leg_weakness_new": words(
        "Your leg weakness came back, or started after the numbing medicine wore off. "
        "A doctor needs to check it."
    ),
    "leg_numbness_new": words(
        "Your leg numbness came back, or started after the numbing medicine wore off. "
        "A doctor needs to check it."
    ),
    "leg_weakness_past_window": words(
        "Your leg weakness has lasted past {when}, when the numbing medicine should have worn "
        "off. A doctor needs to check it."
    ),
    "leg_numbness_past_window": words(
        "Your leg numbness has lasted past {when}, when the numbing medicine should have worn "
        "off. A doctor needs to check it."
    ),
    "pain_not_controlled": words(
        "Your usual pain medicines are not easing your pain. The clinic needs to know now."
    ),
    "severe_pain": words(
        "Your pain is {pain} out of 10. That is severe, and the clinic needs to know now."
    ),
    "blood_sugar_above_threshold": words(
        "Your blood sugar is {sugar:g} mg/dL. That is above {threshold:g}, so call now. "
        "Also tell the doctor who looks after your diabetes."
    ),
    "blood_sugar_low": words(
        "Your blood sugar is {sugar:g} mg/dL. That is low. Treat it the way your diabetes "
        "team taught you. Then call."
    ),
    # call today
    "hives": words(
        "An itchy rash with raised bumps (hives) can be a mild allergic reaction. Tell the "
        "clinic today. If your breathing gets hard or your face swells, get emergency help."
    ),
    "pain_above_baseline": words(
        "Your pain is worse than before the injection ({pain} out of 10, up from {baseline}). "
        "This is not the usual pattern at this time. Tell the clinic today."
    ),
    "blood_sugar_after_expected_rise": plural_words(
        "Your blood sugar is {sugar:g} mg/dL. A steroid can raise blood sugar for about "
        "{days:g} day, and that time has passed. If it is still higher than usual for you, "
        "tell the clinic today.",
        "Your blood sugar is {sugar:g} mg/dL. A steroid can raise blood sugar for about "
        "{days:g} days, and that time has passed. If it is still higher than usual for you, "
        "tell the clinic today.",
        "days",
    ),
    "flushing_without_steroid": words(
        "Red, warm skin on your face (flushing) is not a usual effect of this injection. "
        "Tell the clinic today."
    ),
    "flushing_lasting": plural_words(
        "Flushing of your face has lasted more than {days:g} day. Tell the clinic today.",
        "Flushing of your face has lasted more than {days:g} days. Tell the clinic today.",
        "days",
    ),
    "site_soreness_lasting": plural_words(
        "Soreness where the needle went in has lasted more than {days:g} day. "
        "Tell the clinic today.",
        "Soreness where the needle went in has lasted more than {days:g} days. "
        "Tell the clinic today.",
        "days",
    ),
    # expected
    "leg_weakness_in_window": words(
        "Some leg weakness can happen while the numbing medicine works. It should wear off "
        "by about {when}. Until then, do not walk alone or drive."
    ),
    "leg_numbness_in_window": words(
        "Some leg numbness can happen while the numbing medicine works. It should wear off "
        "by about {when}. Until then, do not walk alone or drive."
    ),
    "pain_flare": plural_words(
        "Your pain is worse than before the injection ({pain} out of 10, up from {baseline}). "
        "A short flare of pain can happen in the first {days:g} day. It should ease. "
        "Your usual pain medicines can help.",
        "Your pain is worse than before the injection ({pain} out of 10, up from {baseline}). "
        "A short flare of pain can happen in the first {days:g} days. It should ease. "
        "Your usual pain medicines can help.",
        "days",
    ),
    "pain_not_above_baseline": words(
        "Your pain is no worse than before the injection. Pain often comes back as the "
        "numbing medicine wears off. That is normal."
    ),
    "blood_sugar_rise_expected": plural_words(
        "Your blood sugar is {sugar:g} mg/dL. A steroid can raise blood sugar for about "
        "{days:g} day. Your reading is below the level that needs a call. Keep checking it "
        "more often than usual.",
        "Your blood sugar is {sugar:g} mg/dL. A steroid can raise blood sugar for about "
        "{days:g} days. Your reading is below the level that needs a call. Keep checking it "
        "more often than usual.",
        "days",
    ),
    "facial_flushing": plural_words(
        "Red, warm skin on your face (flushing) can happen for up to {days:g} day after a "
        "steroid. It goes away by itself.",
        "Red, warm skin on your face (flushing) can happen for up to {days:g} days after a "
        "steroid. It goes away by itself.",
        "days",
    ),
    "site_soreness": plural_words(
        "Soreness where the needle went in is common. It should ease within {days:g} day.",
        "Soreness where the needle went in is common. It should ease within {days:g} days.",
        "days",
    ),
    "no_warning_signs": words("Nothing you told us needs a call right now."),
}

# The signs at the injection site as `site_infection_signs` lists them ("Redness, swelling
# and warmth"): each as the list's first word, inside the list, and last (with its "and",
# which some languages change by the word that follows it: "e hinchazón").
SITE_SIGNS: dict[str, tuple[Words, Words, Words]] = {
    "site_redness": (words("Redness"), words("redness"), words("and redness")),
    "site_swelling": (words("Swelling"), words("swelling"), words("and swelling")),
    "site_warmth": (words("Warmth"), words("warmth"), words("and warmth")),
    "site_oozing": (words("Oozing"), words("oozing"), words("and oozing")),
}

# The steps of what to do, besides the contact's own sentence (`contact.contact_words`).
STEPS: dict[str, Words] = {
    "tell_them": words("Tell them you had an injection in your lower back (SI joint) on {when}."),
    "let_the_clinic_know": words("Let the clinic know when you can."),
    "much_worse": words("If you get much worse before you reach us, call {number}."),
    "call_today": words("Call the clinic help line today at {number}. It is open from {hours}."),
    "worse_call_now": words("If you get worse, call now rather than later."),
    "call_when_it_opens": words(
        "Call the clinic help line at {number} when it opens. It is open from {hours}."
    ),
    "worse_before_then": words("If you get worse or are worried before then, call {number} now."),
    "expected": words("What you told us is expected after this injection."),
    "keep_the_diary": words("Keep filling in your pain diary."),
    "call_if_new": words("Call the clinic if something new happens or you are worried."),
}


def reason_words(code: str, **values: Any) -> Words:
    """The sentence of reason `code`, filled in with `values`."""
    return REASONS[code].filled(**values)


def step_words(code: str, **values: Any) -> Words:
    """The step `code` of what to do, filled in with `values`."""
    return STEPS[code].filled(**values)


def clock_on_day(clock: Clock, day: Day) -> Words:
    """A time on another day than the report's, like "1:00 pm on Monday, March 2"."""
    return words("{clock} on {day}", clock=clock, day=day)
