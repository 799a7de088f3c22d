"""Every sentence a patient reads in the consent answers (`domain.consent`): the twelve
questions, by the question's id, and the sentences of their answers.

`{name}` is filled in from the plan, the consent context and the knowledge; numbers keep
their format specs in every language. The names of the doctor, the place and the
medicines, the doctor's training (the clinic's directory) and the clinic's own notes
are values or text as the clinic wrote them. Short sentences, everyday words, "you"
(grade 6-8). A sentence here must read as the English consent answers always did:
`tests/unit/test_consent_words.py` holds that English.
"""

from __future__ import annotations

from sijcare.domain.words import Words, plural_words, words

# The questions, by `Question` value.
QUESTIONS: dict[str, Words] = {
    "name": words("What is the procedure called?"),
    "reason": words("Why are you having it?"),
    "results": words("What results can you expect, and what do they mean?"),
    "risks_and_benefits": words("What are the risks and the benefits?"),
    "side_effects": words("What side effects or problems could happen?"),
    "when_and_where": words("When and where will it be done?"),
    "who": words("Who will do it, and what training do they have?"),
    "without_it": words("What would happen if you did not have it?"),
    "alternatives": words("What other choices do you have?"),
    "getting_results": words("When and how will you get the results?"),
    "who_to_call": words("Who do you call with questions or problems?"),
    "cost": words("How much will you have to pay?"),
}

# -- the name: the kind and side, then the medicines, the guidance and the dye -----------

NAME_DIAGNOSTIC = words("A test (diagnostic) SI joint injection, {side}.")
NAME_THERAPEUTIC = words("A treatment (therapeutic) SI joint injection, {side}.")
# By `Side` value.
SIDES: dict[str, Words] = {
    "left": words("on your left side"),
    "right": words("on your right side"),
    "bilateral": words("on both sides"),
}
# "{medicines} {guidance} {dye}": three sentences in one paragraph.
HOW = words("{medicines} {guidance} {dye}")
ONE_MEDICINE = words("The medicine is {anesthetic} (a numbing medicine).")
TWO_MEDICINES = words(
    "The medicines are {anesthetic} (a numbing medicine) and {steroid} (a steroid)."
)
# By `Guidance` value.
GUIDANCE: dict[str, Words] = {
    "fluoroscopy": words("X-rays guide the needle."),
    "ct": words("A CT scanner guides the needle."),
    "ultrasound": words("Ultrasound guides the needle."),
}
DYE = words("A little dye shows that the needle is in the joint.")
NO_DYE = words("No dye will be used.")

# -- why -----------------------------------------------------------------------------------

REASON_DIAGNOSTIC = words(
    "To find out if your pain comes from this joint. If the numbing medicine eases your pain "
    "for a few hours, the joint is likely the cause."
)
REASON_THERAPEUTIC = words(
    "To ease pain that comes from this joint. The steroid calms swelling in the joint."
)

# -- the results -----------------------------------------------------------------------------

DIARY_WINDOW = plural_words(
    "You rate your pain in a diary for the next {hours:g} hour. That is how long "
    "{anesthetic} works.",
    "You rate your pain in a diary for the next {hours:g} hours. That is how long "
    "{anesthetic} works.",
    "hours",
)
POSITIVE_TEST = words(
    "If your pain drops by {percent}% or more, the test is positive. That means the joint is "
    "likely the source of your pain. If it does not, the pain may come from somewhere else."
)
NUMBING_FIRST = words(
    "The numbing medicine may ease your pain for a few hours. Then the pain may come back."
)
# `days` is the leaflet's "2 to 7 days" (`education.onset_words`).
STEROID_ONSET = words(
    "The steroid often starts to work in {days}. Your pain diary shows how much it helps "
    "and for how long."
)

# -- risks and benefits --------------------------------------------------------------------

BENEFIT_DIAGNOSTIC = words("The benefit: it can show if this joint causes your pain.")
BENEFIT_THERAPEUTIC = plural_words(
    "The benefit: it can ease your pain, often for {weeks} week or more.",
    "The benefit: it can ease your pain, often for {weeks} weeks or more.",
    "weeks",
)
RISKS = words("It does not help everyone. The risks, and how often they happen:")
# Each risk is the leaflet's sentence: "{risk}: {how_often}." (`education`).

# -- side effects ----------------------------------------------------------------------------

SORENESS = words("Soreness where the needle went in.")
PAIN_BACK = words("Your usual pain may come back as the numbing medicine wears off.")
LEG = plural_words(
    "Your leg may feel numb or weak for up to {hours:g} hour. Do not walk alone or drive.",
    "Your leg may feel numb or weak for up to {hours:g} hours. Do not walk alone or drive.",
    "hours",
)
FLUSHING = plural_words(
    "Your face may be red and warm for up to {days:g} day.",
    "Your face may be red and warm for up to {days:g} days.",
    "days",
)
SUGAR = plural_words(
    "Your blood sugar may go up for about {days:g} day. If you have diabetes, check it more often.",
    "Your blood sugar may go up for about {days:g} days. If you have diabetes, check it more often.",
    "days",
)
FLARE = words("Your pain may flare up for a few days before the steroid starts to work.")

# -- when and where, who --------------------------------------------------------------------

WHEN_AND_WHERE = words("On {day}, at {time}, at {location}.")
AFTER = plural_words(
    "After the injection, we watch you for about {minutes} minute. Someone must drive you home.",
    "After the injection, we watch you for about {minutes} minutes. Someone must drive you home.",
    "minutes",
)
# The training is the clinic's directory's, as written.
WHO = words("{physician} will do the injection. {qualifications}")

# -- without it, the other choices ---------------------------------------------------------

WITHOUT_IT = words(
    "Your pain would likely go on as it is now. You can choose this or another treatment later."
)
LOST_DIAGNOSTIC = words("Your doctor would know less about where your pain comes from.")
LOST_THERAPEUTIC = words("You would not get the relief the steroid may give.")
# Then the leaflet's other choices (`education.alternative_words`).
INSTEAD = words("You can choose any of these instead:")

# -- the results: when and how; who to call --------------------------------------------------

DIARY_ANSWERS = words("Your diary from the first hours after the injection gives the answer.")
MILESTONES = words(
    "We look at your pain diary about {first}, {second} and {third} days after the injection."
)
HELP_LINE = words(
    "Call the clinic help line at {phone}. It is open every day from {opens} to {closes}."
)
OTHER_TIMES = words(
    "At other times, call {after_hours} for the doctor on call. In an emergency, call {emergency}."
)
