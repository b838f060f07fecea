"""What a good schedule is: the objective's terms and weights, in priority order.

One definition serves both solvers: CP-SAT builds these terms as linear
expressions, and ``score`` computes them for any finished schedule (greedy,
CP-SAT, a coordinator's move), so the two strategies are compared on exactly
the same scale. Each tier's weight outweighs everything below it in any
realistic meeting (up to 9 optional attendees, 6 agencies):

| tier | term | weight |
|---|---|---|
| 1 | a request placed with all required attendance: urgent / normal | 2,000,000 / 1,000,000 |
| 2 | each distinct agency present at a meeting | 10,000 |
| 3 | each optional invitee present | 1,000 |
| 4 | a role slot filled by someone who already attended the case (a fixed or sent meeting) or preferred | 300 |
| 5 | each day after the window opens: urgent / normal (a tie-break) | -20 / -1 |
| 5 | each off-duty ask; extra when it is a rest day at short notice (time and a half) | -100; -50 |
| 5 | fair spread: each person's second meeting in the batch; each beyond the second (*) | -10; -30 |

(*) A meeting that follows another in a chain is not counted, so continuity costs nothing.

Then, among schedules of equal objective, a tie-break (a second solver phase): the same people across a
chain of meetings of one case (strategy discussion, conference, core group).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from rotas.clock import zone
from scheduler.solver.instance import RATE_TIME_AND_A_HALF, Instance, OffDuty, Task
from scheduler.solver.starts import instant

W_PLACE = {"urgent": 2_000_000, "normal": 1_000_000}
W_AGENCY = 10_000
W_OPTIONAL = 1_000
W_CONTINUITY = 300
# Per day, not per hour: hourly terms made M instances twice as slow to prove optimal (quorum bench).
W_DAY_LATER = {"urgent": 20, "normal": 1}
W_OFF_DUTY = 100
W_TIME_AND_A_HALF = 50
W_SECOND = 10
W_THIRD_PLUS = 30


@dataclass(frozen=True)
class Attendance:
    person: str
    role: str  # required | optional | slot
    slot: str | None = None  # the slot's label
    off_duty: OffDuty | None = None


@dataclass
class Placement:
    """A request placed at start index ``k`` of its task, with who attends and where."""

    task: Task
    k: int
    attendees: list[Attendance]
    room: str | None = None

    @property
    def start(self) -> int:
        return self.task.starts[self.k]


@dataclass
class Score:
    total: int = 0
    terms: list[tuple[str, int]] = field(default_factory=list)  # (label, contribution)

    def add(self, label: str, value: int) -> None:
        if value:
            self.total += value
            self.terms.append((label, value))


def days_later(inst: Instance, task: Task, k: int) -> int:
    """Local days from the window opening to start ``k``."""
    tz = zone(inst.partnership.timezone)
    first = instant(task.window[0]).astimezone(tz).date()
    return max(0, (instant(task.starts[k]).astimezone(tz).date() - first).days)


def continuity_people(task: Task, slot_index: int) -> set[str]:
    return task.continuity | set(task.request.slots[slot_index].prefer)


def off_duty_weight(off: OffDuty | None) -> int:
    """What asking someone to attend off duty costs in the objective (0 when they are on duty)."""
    if off is None:
        return 0
    return W_OFF_DUTY + (W_TIME_AND_A_HALF if off.rate >= RATE_TIME_AND_A_HALF else 0)


def placement_value(inst: Instance, pl: Placement) -> Score:
    """The terms one placed meeting contributes (fair spread is batch-wide, see ``score``)."""
    r = pl.task.request
    agency_of = inst.agency_of
    s = Score()
    s.add(f"{r.id}: placed ({r.urgency})", W_PLACE[r.urgency])
    agencies = {agency_of[a.person] for a in pl.attendees}
    s.add(f"{r.id}: {len(agencies)} agencies present", W_AGENCY * len(agencies))
    s.add(f"{r.id}: optional invitees present", W_OPTIONAL * sum(a.role == "optional" for a in pl.attendees))
    labels = [slot.label for slot in r.slots]
    cont = sum(
        1
        for a in pl.attendees
        if a.role == "slot" and a.slot in labels and a.person in continuity_people(pl.task, labels.index(a.slot))
    )
    s.add(f"{r.id}: continuity", W_CONTINUITY * cont)
    s.add(f"{r.id}: days after the window opens", -W_DAY_LATER[r.urgency] * days_later(inst, pl.task, pl.k))
    for a in pl.attendees:
        if a.off_duty is not None:
            s.add(f"{r.id}: {a.person} asked to attend off duty", -off_duty_weight(a.off_duty))
    return s


def case_attendees(placements: list[Placement] | Mapping[str, Placement], pl: Placement) -> frozenset[str]:
    """Who attends the placed meetings ``pl`` follows in its chain (the case's earlier meetings).

    Give the placements by task id where there is such a map (greedy's diary): building one for every
    start tried made greedy quadratic (40 s of 50 at 2,000 requests).
    """
    by_id = placements if isinstance(placements, Mapping) else {x.task.id: x for x in placements}
    out: set[str] = set()
    seen: set[str] = set()
    ref = pl.task.depends_on
    while ref is not None and ref in by_id and ref not in seen:
        seen.add(ref)
        out.update(a.person for a in by_id[ref].attendees)
        ref = by_id[ref].task.depends_on
    return frozenset(out)


def fairness_penalty(loads: Counter[str]) -> int:
    """A person's second meeting in the batch, and each beyond it, cost (see the table above)."""
    return sum(W_SECOND * min(1, max(0, n - 1)) + W_THIRD_PLUS * max(0, n - 2) for n in loads.values())


def score(inst: Instance, placements: list[Placement]) -> Score:
    """The objective of a whole schedule, with every term labelled."""
    total = Score()
    loads: Counter[str] = Counter()
    for pl in placements:
        part = placement_value(inst, pl)
        for label, value in part.terms:
            total.add(label, value)
        if pl.task.follows is None:  # a chain's follow-up meetings (its first locked or not) add to no load
            loads.update(a.person for a in pl.attendees)
    total.add("fair spread of meetings", -fairness_penalty(loads))
    return total
