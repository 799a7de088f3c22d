"""The words of reminders and calendar entries, at the level of detail the patient chose.

E-mail can be read by others, and calendar entries are often shared or synced, so what
a reminder may say is the patient's choice (`DetailLevel`, default the clinic's rule
`reminders.default_detail`):
- minimal: that there is an appointment with the clinic, its time and place, and to
  look in the patient portal; nothing about the care itself;
- standard: also the practical steps, without naming the procedure, a condition or a
  medicine: when to arrive, what to bring (an adult to drive home), when to stop eating
  and drinking, that a diary score is due;
- full: also the procedure's name, the practitioner, and each confirmed medicine step
  with the medicine's name.
Subjects never say more than the appointment's day or the clinic's name.

Every sentence is a `msg()` so that it is translated into the patient's language;
`Wording` renders messages, dates and times in a locale and a time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import dates

from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.diary_schedule import DiaryPrompt
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening_rules.findings import Action
from sijcare.domain.words import Translate
from sijcare.interop.calendar import Text, Visit
from sijcare.services.errors import Message, msg, plural_msg

# A locale -> its catalogue (the web layer's `i18n.translations`); English needs none.
Translations = Callable[[str], Translate]


def untranslated(_locale: str) -> Translate:
    return lambda text: text


@dataclass(frozen=True)
class Wording:
    """Messages, dates and times as a reader in `locale` and time zone `zone` reads them."""

    locale: str
    zone: str
    translate: Translate = field(default=lambda text: text, repr=False)

    @classmethod
    def of(cls, locale: str, zone: str, translations: Translations) -> Wording:
        return cls(locale, zone, translations(locale))

    def text(self, message: Message) -> str:
        return message.render(self.translate)

    def when(self, at: datetime) -> str:
        """Like "Monday, March 9, 2026 9:30 AM PDT" (with the zone's abbreviation).
        Midnight names both days: "12:00 AM" alone is often read as noon, or a day late."""
        local = self._local(at)
        if (local.hour, local.minute) == (0, 0):
            before = self.day(local - timedelta(days=1))
            return self.text(
                msg("midnight between {before} and {day}", before=before, day=self.day(at))
            )
        return f"{self.day(at)} {self.clock(at)}"

    def day(self, at: datetime) -> str:
        return str(dates.format_date(self._local(at), "full", locale=self.locale))

    def clock(self, at: datetime) -> str:
        local = self._local(at)
        return f"{dates.format_time(local, 'short', locale=self.locale)} {local.tzname()}"

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(ZoneInfo(self.zone))


@dataclass(frozen=True)
class Clinic:
    """What reminders say about the clinic: its name and numbers (knowledge `clinic.*`)."""

    name: str
    help_line: str
    emergency: str

    @classmethod
    def of(cls, name: str, knowledge: Knowledge) -> Clinic:
        return cls(
            name,
            knowledge.text("clinic.help_line_phone"),
            knowledge.text("clinic.emergency_phone"),
        )


@dataclass(frozen=True)
class VisitFacts:
    """An appointment and what its reminder may tell (chosen by the detail level).

    `arrive_by` is set for a procedure; `steps` are the screening steps before it that
    a clinician-confirmed plan gave (fasting, medicines); `driver_required` is the
    clinic's rule `driver.required`.
    """

    visit: Visit
    patient_name: str
    arrive_by: datetime | None = None
    steps: tuple[Action, ...] = ()
    driver_required: bool = False


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


_PORTAL = msg("Sign in to your patient portal to see what to do.")
_CHECK_PORTAL = msg("Sign in to your patient portal to see how to get ready.")
_WHICH_MEDICINE = msg("Your care team told you which medicine. See your patient portal.")

# Screening steps, by the core's action code: (standard words, full words). Full words
# may name the medicine as `{medicine}` (the action's `about`).
STEP_WORDS: Mapping[str, tuple[Message, Message]] = {
    "fasting.food_stop": (msg("Stop eating"), msg("Stop eating")),
    "fasting.clear_liquids_stop": (msg("Stop drinking"), msg("Stop drinking")),
    "blood_thinner.last_dose": (
        msg("Medicine: last dose before your appointment"),
        msg("Last dose of {medicine} before your procedure"),
    ),
    "blood_thinner.restart": (
        msg("Medicine: you may start it again"),
        msg("Start {medicine} again, at your usual dose time"),
    ),
    "blood_thinner.inr_check": (
        msg("Blood test before your appointment"),
        msg("Blood test (INR) before your procedure"),
    ),
    "glp1.last_dose": (
        msg("Medicine: last dose before your appointment"),
        msg("Last weekly dose of {medicine} before your procedure"),
    ),
    "glp1.skip_procedure_day": (
        msg("Medicine: skip today's dose"),
        msg("Do not take {medicine} today"),
    ),
    "diabetes.check_glucose_often": (
        msg("Health check reminder"),
        msg("Check your blood sugar more often than usual"),
    ),
    "diabetes.glucose_peak_day": (
        msg("Health check reminder"),
        msg("Your blood sugar is likely to be highest today"),
    ),
    "diabetes.usual_checks": (
        msg("Health check reminder"),
        msg("Back to your usual blood sugar checks"),
    ),
}
STEP_DESCRIPTIONS: Mapping[str, Message] = {
    "fasting.food_stop": msg("From now on, eat nothing before your appointment."),
    "fasting.clear_liquids_stop": msg(
        "From now on, drink nothing before your appointment, not even clear liquids."
    ),
}
MEDICINE_CODES = ("blood_thinner.", "glp1.")
MILESTONE_WORDS = {
    "2w": msg("day {day} after the injection: your 2-week check"),
    "6w": msg("day {day} after the injection: your 6-week check"),
    "3m": msg("day {day} after the injection: your 3-month check"),
}


# -- calendar entries ---------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarWords:
    """The words of calendar entries (`sijcare.interop.calendar.Words`) at `detail`.

    `arrivals` maps a procedure appointment's id to its arrival time.
    """

    wording: Wording
    detail: DetailLevel
    clinic: Clinic
    arrivals: Mapping[int, datetime] = field(default_factory=dict)
    driver_required: bool = False

    def visit(self, visit: Visit) -> Text:
        w = self.wording
        title = w.text(msg("Appointment: {clinic}", clinic=self.clinic.name))
        if self.detail is DetailLevel.FULL:
            title = w.text(_visit_title(visit, self.clinic.name))
        if visit.cancelled:
            return Text(w.text(msg("Cancelled: {title}", title=title)))
        lines = [] if self.detail is DetailLevel.MINIMAL else self._visit_lines(visit)
        if self.detail is DetailLevel.FULL and visit.with_whom:
            lines.insert(0, w.text(msg("With {name}.", name=visit.with_whom)))
        lines.append(w.text(_CHECK_PORTAL))
        return Text(title, "\n".join(lines))

    def _visit_lines(self, visit: Visit) -> list[str]:
        w = self.wording
        lines = []
        if visit.virtual:
            lines.append(w.text(msg("This is a video visit.")))
        arrive = self.arrivals.get(visit.id)
        if arrive is not None:
            lines.append(w.text(msg("Please arrive by {time}.", time=w.clock(arrive))))
            lines += [w.text(m) for m in bring_list(self.driver_required)]
        return lines

    def action(self, action: Action) -> Text:
        w = self.wording
        if self.detail is DetailLevel.MINIMAL:
            return Text(w.text(msg("Reminder: {clinic}", clinic=self.clinic.name)), w.text(_PORTAL))
        summary = step_title(action, self.detail)
        if summary is None:
            return Text(w.text(msg("Reminder: {clinic}", clinic=self.clinic.name)), w.text(_PORTAL))
        description = STEP_DESCRIPTIONS.get(action.code)
        if description is None and action.code.startswith(MEDICINE_CODES):
            description = _WHICH_MEDICINE if self.detail is DetailLevel.STANDARD else _PORTAL
        return Text(w.text(summary), w.text(description or _PORTAL))

    def prompt(self, prompt: DiaryPrompt) -> Text:
        w = self.wording
        if self.detail is DetailLevel.MINIMAL:
            return Text(
                w.text(msg("Check-in: {clinic}", clinic=self.clinic.name)),
                w.text(msg("Sign in to your patient portal.")),
            )
        how = w.text(msg("Rate your pain from 0 (no pain) to 10 (worst pain) in your portal."))
        if self.detail is DetailLevel.STANDARD:
            return Text(w.text(msg("Pain diary: write down your score")), how)
        label = w.text(prompt_label(prompt))
        return Text(w.text(msg("Pain diary: {label}", label=label)), how)


def _visit_title(visit: Visit, clinic: str) -> Message:
    if visit.kind == "procedure":
        return msg("SI joint injection: {clinic}", clinic=clinic)
    return msg("Follow-up visit: {clinic}", clinic=clinic)


def step_title(action: Action, detail: DetailLevel) -> Message | None:
    """The title of a screening step at `detail` (standard or full); None for a step
    these words do not know (the minimal words are used for it)."""
    words = STEP_WORDS.get(action.code)
    if words is None:
        return None
    standard, full = words
    if detail is DetailLevel.FULL:
        return msg(full.text, medicine=action.about)
    return standard


def bring_list(driver_required: bool) -> list[Message]:
    """What to bring to the procedure (the clinic's rule `driver.required` adds the driver)."""
    items = [
        msg("Bring a photo ID and your insurance card."),
        msg("Bring a list of all your medicines and how much you take."),
    ]
    if driver_required:
        items.append(
            msg("Come with an adult who will drive you home. You must not drive that day.")
        )
    return items


def prompt_label(prompt: DiaryPrompt) -> Message:
    """Which diary prompt this is, in words (translated, unlike the core's English label)."""
    if prompt.after_minutes is not None:
        minutes = prompt.after_minutes
        if minutes < 60:
            return plural_msg(
                "{minutes} minute after the injection",
                "{minutes} minutes after the injection",
                "minutes",
                minutes=minutes,
            )
        return plural_msg(
            "{hours:g} hour after the injection",
            "{hours:g} hours after the injection",
            "hours",
            hours=minutes / 60,
        )
    if prompt.milestone in MILESTONE_WORDS:
        return msg(MILESTONE_WORDS[prompt.milestone].text, day=prompt.day)
    return msg("day {day} after the injection", day=prompt.day)


# -- e-mails ------------------------------------------------------------------------------


def visit_email(facts: VisitFacts, detail: DetailLevel, clinic: Clinic, w: Wording) -> Email:
    """The reminder the day before an appointment (a procedure or a follow-up visit)."""
    visit = facts.visit
    lines = [
        w.text(msg("Hello {name},", name=facts.patient_name)),
        "",
        w.text(
            msg(
                "This is a reminder of your appointment with {clinic} on {when}.",
                clinic=clinic.name,
                when=w.when(visit.starts_at),
            )
        ),
    ]
    if visit.virtual:
        lines.append(w.text(msg("This is a video visit.")))
    elif visit.place:
        lines.append(w.text(msg("Place: {place}", place=visit.place)))
    if detail is DetailLevel.FULL:
        lines += ["", w.text(_full_visit_line(visit))]
    if detail is not DetailLevel.MINIMAL:
        lines += _practical_lines(facts, detail, w)
    lines += ["", w.text(_CHECK_PORTAL), *footer(clinic, w)]
    subject = w.text(msg("Reminder: your appointment on {day}", day=w.day(visit.starts_at)))
    return Email(subject, "\n".join(lines) + "\n")


def _full_visit_line(visit: Visit) -> Message:
    who = visit.with_whom
    if visit.kind == "procedure":
        return msg("The appointment is for your SI joint injection, with {name}.", name=who)
    return msg("The appointment is a follow-up visit with {name}.", name=who)


def _practical_lines(facts: VisitFacts, detail: DetailLevel, w: Wording) -> list[str]:
    lines: list[str] = []
    if facts.arrive_by is not None:
        lines += ["", w.text(msg("Please arrive by {time}.", time=w.clock(facts.arrive_by)))]
        lines += [f"- {w.text(m)}" for m in bring_list(facts.driver_required)]
    eating = [s for s in facts.steps if s.code in STEP_DESCRIPTIONS]
    if eating:
        lines += ["", *(_eating_line(s, w) for s in eating)]
    medicines = [s for s in facts.steps if s.code.startswith(MEDICINE_CODES)]
    if medicines and detail is DetailLevel.STANDARD:
        lines += ["", w.text(msg("Your care team gave you steps for some of your medicines."))]
    if medicines and detail is DetailLevel.FULL:
        lines += ["", *(_medicine_line(s, w) for s in medicines)]
    return lines


def _eating_line(step: Action, w: Wording) -> str:
    if step.code == "fasting.food_stop":
        return w.text(msg("Do not eat anything after {when}.", when=w.when(step.at)))
    return w.text(
        msg(
            "You may drink clear liquids (water, clear juice, black coffee or tea) until "
            "{when}. After that, drink nothing.",
            when=w.when(step.at),
        )
    )


def _medicine_line(step: Action, w: Wording) -> str:
    title = step_title(step, DetailLevel.FULL)
    return f"- {w.when(step.at)}: {step.what if title is None else w.text(title)}"


def prompt_email(
    prompt: DiaryPrompt, patient_name: str, detail: DetailLevel, clinic: Clinic, w: Wording
) -> Email:
    """The reminder that a diary score is due."""
    if detail is DetailLevel.MINIMAL:
        body = [msg("It is time for your next check-in. Please sign in to your patient portal.")]
    else:
        body = [
            msg(
                "It is time to write down your pain score, from 0 (no pain) to 10 (worst "
                "pain), in your pain diary. Sign in to your patient portal to add it."
            )
        ]
    if detail is DetailLevel.FULL:
        body.append(msg("This score is for: {label}.", label=w.text(prompt_label(prompt))))
    lines = [w.text(msg("Hello {name},", name=patient_name)), "", *(w.text(m) for m in body)]
    subject = w.text(msg("A reminder from {clinic}", clinic=clinic.name))
    return Email(subject, "\n".join([*lines, *footer(clinic, w)]) + "\n")


def footer(clinic: Clinic, w: Wording) -> Sequence[str]:
    return (
        "",
        "--",
        w.text(
            msg(
                "You get these e-mails because reminders are on in your patient portal. To "
                "turn them off, or to change how much they say, sign in and open Reminders."
            )
        ),
        w.text(
            msg(
                "Please do not reply to this e-mail. If you feel unwell, call the clinic at "
                "{phone}. In an emergency, call {emergency}.",
                phone=clinic.help_line,
                emergency=clinic.emergency,
            )
        ),
    )
