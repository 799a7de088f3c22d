"""Every sentence a patient reads in the preparation and aftercare instructions
(`domain.instructions`), by item code, and the sections' titles."""

from __future__ import annotations

from sijcare.domain.words import Words, plural_words, words

# Every sentence the patient reads, by item code; `{name}` is filled in from the knowledge
# and the injection time. Short sentences, everyday words, "you" (grade 6-8).
TEXT: dict[str, Words] = {
    # preparation
    "appointment": words("Your SI joint injection ({what}) is on {when}{where}{who}."),
    "arrive_by": words("Please arrive by {clock} to check in."),
    "eat_as_usual": words(
        "You will not get medicine to make you sleepy, so you may eat and drink as usual."
    ),
    "stop_eating": words(
        "You will get medicine to help you relax. Do not eat anything after "
        "{cutoff}. This includes gum, mints and candy."
    ),
    "clear_liquids_until": words(
        "You may drink clear liquids until {when}: water, clear juice with "
        "no pulp, clear tea, or black coffee with no milk. After that, drink nothing."
    ),
    "usual_medicines_before": words(
        "Take your usual medicines as normal, with a small sip of water, "
        "unless the clinic tells you something else below."
    ),
    "blood_thinner_no_change": words(
        "If you take a blood thinner, do not stop it on your own. The "
        "clinic will tell you if and when to stop, after talking with the doctor who prescribes it."
    ),
    "bring_id": words("A photo ID and your insurance card."),
    "bring_medicine_list": words("A list of all your medicines and how much you take."),
    "bring_driver": words(
        "An adult to drive you home. Your leg may be weak for a few hours, so you "
        "must not drive. Your driver should stay at the clinic, or be back by {clock}. You can "
        "leave only when your driver is with you."
    ),
    "no_driver_no_procedure": words(
        "Because you will get medicine to relax, the injection cannot go ahead without a driver."
    ),
    "call_if_ill": words(
        "You have a fever of {celsius} °C ({fahrenheit} °F) or more, an infection, "
        "or you feel sick."
    ),
    "call_if_pregnant": words("You are or might be pregnant."),
    "call_if_new_medicine": words("You start a new medicine, mainly a blood thinner."),
    "call_how_before": words("Call {help_line}."),
    "diary_baseline": words(
        "Just before the injection, the nurse will ask you to rate your pain from "
        "0 (no pain) to 10 (worst pain)."
    ),
    "diary_bring": words(
        "Bring your phone or a pen: after the injection you will write down your "
        "pain score at set times ({times} after it) and do the things that usually hurt."
    ),
    # aftercare
    "times_assume_on_time": words(
        "The times below assume your injection starts at {clock} on {day}."
    ),
    "observation": plural_words(
        "You will rest at the clinic for about {minutes:g} minute before you go home.",
        "You will rest at the clinic for about {minutes:g} minutes before you go home.",
        "minutes",
    ),
    "driver_home": words("An adult must drive you home. You can leave once they are here."),
    "no_driving_today": words("Do not drive for the rest of the day of your injection."),
    "numb_leg": words(
        "Your leg may feel weak or numb while the numbing medicine works. Take care "
        "when you walk and use a rail on stairs. This should be gone by about {clock}."
    ),
    "pain_returns": words(
        "As the numbing medicine wears off, by about {clock}, your usual pain may "
        "come back. This is expected."
    ),
    "soreness": words("The spot where the needle went in may be sore for up to {days}."),
    "flare": words(
        "Between {start} and {end}, your pain may get worse for a while. This is called "
        "a flare. It is expected if it is not severe."
    ),
    "steroid_onset": words(
        "The steroid usually starts to ease your pain {low} to {high} days after "
        "the injection: between {first} and {last}."
    ),
    "flushing": words("Your face may look red or feel warm for up to {days}."),
    "diary_how": words(
        "Write down your pain from 0 (no pain) to 10 (worst pain) at each time below. "
        "Between the first times, do the things that usually hurt."
    ),
    "diary_prompt": words("{label}: {when}."),
    "diary_run": words("{how} at {clock}, from {first} to {last}."),
    "rest_today": words("Take it easy for the rest of the day of your injection."),
    "usual_activity": words("From {day}, do your usual activities as your comfort allows."),
    "ice_first": plural_words(
        "Until {when}, use ice, not heat, on the sore spot: a cold pack wrapped in a "
        "cloth, for up to {minutes} minute at a time.",
        "Until {when}, use ice, not heat, on the sore spot: a cold pack wrapped in a "
        "cloth, for up to {minutes} minutes at a time.",
        "minutes",
    ),
    "heat_after": words("After that, you may use heat or ice, whichever feels better."),
    "shower_ok": words("You may take a shower."),
    "no_soaking": words("Do not take a bath or use a pool or hot tub until {when}."),
    "usual_medicines_after": words(
        "Take your usual medicines, unless the clinic told you something else."
    ),
    "pain_medicine": words(
        "For soreness, you may take the pain medicine you usually use, as its label says."
    ),
    "blood_thinner_restart": words(
        "If you stopped a blood thinner for the injection, restart it only "
        "when the clinic told you to."
    ),
    "sugar_as_usual": words(
        "This injection has no steroid. Check your blood sugar as you usually do."
    ),
    "check_sugar_more": words(
        "The steroid can raise your blood sugar. Check it more often than "
        "usual, from today through {day}."
    ),
    "sugar_peak": words("It is likely to be highest on {day}."),
    "sugar_high_call": words(
        "If it is above {mg_dl} mg/dL ({mmol_l} mmol/L), call the doctor who manages your diabetes."
    ),
    "sugar_low_call": words(
        "If it is below {mg_dl} mg/dL ({mmol_l} mmol/L), treat it as your "
        "diabetes team taught you, then call the clinic."
    ),
    "call_fever": words("You have a fever of {celsius} °C ({fahrenheit} °F) or higher."),
    "call_site": words("The injection spot is red, swollen, warm, or leaking fluid."),
    "call_numb": words(
        "Your leg is still weak or numb after {when}, or it gets weak or numb again "
        "after it had gone back to normal."
    ),
    "call_severe_pain": words(
        "Your pain is severe ({nrs} or more out of 10), or your usual pain medicines do not help."
    ),
    "call_headache": words("You have a headache that gets worse when you sit or stand up."),
    "call_sugar": words("Your blood sugar is above {mg_dl} mg/dL ({mmol_l} mmol/L)."),
    "call_how": words(
        "Call {help_line}. At other times, call {after_hours} to reach the doctor on call."
    ),
    "er_breathing": words("You have trouble breathing."),
    "er_swelling": words("Your face, lips, tongue or throat swell."),
    "er_bladder_bowel": words(
        "You cannot control your bladder or bowels, or you are numb between "
        "your legs or around your bottom. This is new."
    ),
    "er_both_legs": words("Both of your legs are weak."),
    "er_fever_back_pain": words(
        "You have a fever with bad new back pain and new weakness or numbness."
    ),
    "er_how": words("Call {number} now. Do not wait to reach the clinic, and do not drive."),
}

TITLES: dict[str, Words] = {
    "appointment": words("Your appointment"),
    "eating": words("Eating and drinking"),
    "medicines": words("Your medicines"),
    "bring": words("What to bring"),
    "tell_us": words("Call the clinic before the day if"),
    "diary": words("Your pain diary"),
    "going_home": words("Going home"),
    "expect": words("What to expect"),
    "activity": words("Activity"),
    "heat_and_ice": words("Heat and ice"),
    "bathing": words("Bathing"),
    "blood_sugar": words("Blood sugar (diabetes)"),
    "when_to_call": words("Call the clinic right away if"),
}
