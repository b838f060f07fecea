"""The pooled model: interchangeable people merged, time indexed. A strong bound, and starts to aim for.

The limit (``solver.limit``) lets every request take its own best start as if nobody else needed anyone;
under contention that is far above anything reachable, and the full model's own bound is weaker still
(its no-overlap constraints relax to almost nothing). This model keeps what makes meetings compete and
drops only what makes the exact problem large:

- people who are interchangeable throughout the group (one agency, the same candidacies and continuity,
  the same availability and off-duty costs at every start) are one *pool* with a capacity of their
  number: a hub unit on one relief is a single pool, however many officers it has;
- each request takes at most one start (a Boolean per start: time indexed), each slot filled to its count
  at that start from pools that can make it, optional invitees only where they can;
- per pool, at every moment, the meetings it is at (travel included) add up to at most its size: the
  clique constraints of the pool's interval graph, which is what makes a time-indexed model's linear
  relaxation tight; at most the daily limit per member and day; per set of hub rooms, at any moment, at
  most that many hub meetings that must use them;
- a follow-up only at a start that some start of the meeting it follows allows, and only if that is placed;
- agencies present, optional invitees, continuity, days later and off-duty costs as ``solver.objective``
  counts them; fair spread as the least it can cost a pool, its meetings shared out evenly (exact for a
  pool of one).

Every schedule of the full model maps onto a solution of this one with the same or a higher value, so
CP-SAT's bound on it is an upper bound on every schedule. It is small (a city's fortnight of 200 urgent
requests: about 25,000 variables, against 40,000 and seconds of presolve for the full model), so CP-SAT
also finds good solutions of it quickly; ``solver.realise`` turns those into a schedule of named people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.solver.budget import UNLIMITED, Budget
from scheduler.solver.capacity import maximal_cliques
from scheduler.solver.greedy import fixed_placement
from scheduler.solver.instance import Instance, Task, room_set
from scheduler.solver.objective import (
    W_AGENCY,
    W_CONTINUITY,
    W_DAY_LATER,
    W_OPTIONAL,
    W_PLACE,
    W_SECOND,
    W_THIRD_PLUS,
    Placement,
    continuity_people,
    days_later,
    off_duty_weight,
    placement_value,
)
from scheduler.solver.sat import Effort, Outcome, configure, solve

Pool = tuple[str, ...]  # its members, sorted


def off_cost(t: Task, person: str, k: int) -> int:
    """What the objective charges for ``person`` attending start ``k`` of ``t`` (0 when on duty)."""
    return off_duty_weight(t.off_duty_at(person, k))


def pools(inst: Instance, tasks: list[Task]) -> dict[str, Pool]:
    """Person -> the people interchangeable with them throughout ``tasks`` (themselves included)."""
    signature: dict[str, list[object]] = defaultdict(list)
    for t in tasks:
        r = t.request
        if t.fixed is not None:
            for p in t.fixed.attendees:
                signature[p].append((t.id, "fixed"))
            continue
        for p, required in r.invitees:
            signature[p].append((t.id, "invitee", required))
        for j, slot in enumerate(r.slots):
            keen = continuity_people(t, j)
            for c in slot.candidates:
                signature[c].append((t.id, "slot", j, c in keen))
        for p in sorted(r.people()):
            on = frozenset(t.on_duty.get(p, ()))
            off = frozenset((k, off_duty_weight(o)) for k, o in t.off_duty.get(p, {}).items())
            signature[p].append((t.id, on, off))
    by_sig: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for p, sig in signature.items():
        by_sig[(inst.agency_of[p], *sig)].append(p)
    return {p: tuple(sorted(members)) for members in by_sig.values() for p in members}


@dataclass
class _Use:
    """A pool's part in one option: how many of its members (an expression), when, and on which day."""

    amount: cp_model.LinearExprT
    lo: int
    hi: int
    day: object
    spread: bool  # it counts towards the members' fair spread (not a chain's follow-up)


class PooledModel:
    """The pooled, time-indexed model of one group of tasks (see the module's docstring)."""

    def __init__(self, inst: Instance, tasks: list[Task], budget: Budget = UNLIMITED) -> None:
        self.inst = inst
        self.budget = budget  # building checks it: a city's month of starts took seconds to build
        self.tasks = tasks
        self.by_id = {t.id: t for t in tasks}
        self.pool_of = pools(inst, tasks)
        self.m = cp_model.CpModel()
        self.x: dict[str, list[cp_model.IntVar]] = {}
        self.placed: dict[str, cp_model.IntVar] = {}
        self.fill: dict[tuple[str, int, Pool, int], cp_model.IntVar] = {}  # (task, slot, pool, start) -> how many
        self.optional: dict[tuple[str, str, int], cp_model.IntVar] = {}  # (task, person, start) -> attends
        self.present: dict[tuple[str, str], cp_model.IntVar] = {}  # (task, agency) -> present
        self.uses: dict[Pool, list[_Use]] = defaultdict(list)
        self.hub: list[tuple[frozenset[str], cp_model.LinearExprT, int, int]] = []  # (rooms, amount, lo, hi)
        self.attend: dict[str, dict[str, list[cp_model.LinearExprT]]] = {}  # task -> agency -> attendance terms
        self.terms: list[tuple[int, cp_model.LinearExprT]] = []
        self.constant = 0

    @property
    def nonzeros(self) -> int:
        """The size of its linear relaxation: what decides how long GLOP takes."""
        return sum(len(c.linear.vars) for c in self.m.proto.constraints)

    def build(self) -> PooledModel:
        self.add_fixed()
        self.add_start_choice()
        self.add_attendance()
        self.add_dependencies()
        self.add_pool_capacity()
        self.add_rooms()
        self.add_objective()
        return self

    # -- constraint families -------------------------------------------------------------

    def _room_options(self, t: Task) -> frozenset[str] | None:
        return room_set(self.inst.partnership, t)

    def add_fixed(self) -> None:
        """Locked and sent meetings: their value is a constant, their people and room taken at their time."""
        for t in self.tasks:
            if t.fixed is None:
                continue
            pl = fixed_placement(t)
            self.constant += placement_value(self.inst, pl).total
            lo, hi = t.span(0)
            day = self.inst.local_day(pl.start)
            for a in pl.attendees:
                self.uses[self.pool_of[a.person]].append(_Use(1, lo, hi, day, t.follows is None))
            rooms = self._room_options(t)
            if rooms:
                self.hub.append((rooms, 1, *t.meeting(0)))

    def add_start_choice(self) -> None:
        """At most one start per movable request; none where no room could ever hold it."""
        for t in self.tasks:
            if t.fixed is not None or not t.starts:
                continue
            rooms = self._room_options(t)
            placed = self.m.new_bool_var(f"placed[{t.id}]")
            xs = [self.m.new_bool_var(f"x[{t.id},{k}]") for k in range(len(t.starts))]
            self.m.add(sum(xs) == placed)
            if rooms is not None and not rooms:
                self.m.add(placed == 0)
            self.x[t.id], self.placed[t.id] = xs, placed
            if rooms:
                for k, x in enumerate(xs):
                    self.hub.append((rooms, x, *t.meeting(k)))

    def _use(self, t: Task, person: str, k: int, amount: cp_model.LinearExprT) -> None:
        lo, hi = t.span(k)
        day = self.inst.local_day(t.starts[k])
        self.uses[self.pool_of[person]].append(_Use(amount, lo, hi, day, t.follows is None))

    def add_attendance(self) -> None:
        """Required invitees at the chosen start; optional ones where they can; each slot filled to its count."""
        for n, t in enumerate(self.tasks):
            self.budget.check("building the pooled model", n, len(self.tasks))
            if t.id not in self.x:
                continue
            r, xs, placed = t.request, self.x[t.id], self.placed[t.id]
            attend: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
            for p, required in r.invitees:
                if required:
                    attend[self.inst.agency_of[p]].append(placed)
                    for k, x in enumerate(xs):
                        self._use(t, p, k, x)
                    continue
                for k, x in enumerate(xs):
                    if t.can(p, k):
                        a = self.m.new_bool_var(f"opt[{t.id},{p},{k}]")
                        self.m.add(a <= x)  # linear, so the relaxation bound sees it
                        self.optional[(t.id, p, k)] = a
                        attend[self.inst.agency_of[p]].append(a)
                        self._use(t, p, k, a)
            for k, x in enumerate(xs):
                per_pool: dict[Pool, list[cp_model.IntVar]] = defaultdict(list)
                for j, slot in enumerate(r.slots):
                    members: dict[Pool, int] = defaultdict(int)
                    for c in slot.candidates:
                        if t.can(c, k):
                            members[self.pool_of[c]] += 1
                    ys = []
                    for pool, n in sorted(members.items()):
                        most = min(n, slot.count)
                        y = self.m.new_int_var(0, most, f"fill[{t.id},{j},{pool[0]},{k}]")
                        self.m.add(y <= most * x)
                        self.fill[(t.id, j, pool, k)] = y
                        per_pool[pool].append(y)
                        attend[self.inst.agency_of[pool[0]]].append(y)
                        ys.append(y)
                    self.m.add(sum(ys) == slot.count * x)
                for pool, ys in per_pool.items():
                    amount = sum(ys)
                    if len(ys) > 1:  # one person fills at most one slot of a meeting
                        self.m.add(amount <= len(pool) * x)
                    self._use(t, pool[0], k, amount)
            self.attend[t.id] = attend

    def add_dependencies(self) -> None:
        """A follow-up only at a start some placed start of the meeting it follows allows."""
        for t in self.tasks:
            ref = self.by_id.get(t.depends_on) if t.depends_on else None
            if t.id not in self.x or ref is None:
                continue
            if ref.id not in self.x:
                self.m.add(self.placed[t.id] == 0)
                continue
            for k, x in enumerate(self.x[t.id]):
                s, e = t.meeting(k)
                allowed = [
                    self.x[ref.id][j]
                    for j in range(len(ref.starts))
                    if t.deadline_after.get(j, (0, 0))[0] <= s and e <= t.deadline_after.get(j, (0, 0))[1]
                ]
                self.m.add(x <= sum(allowed))

    def add_pool_capacity(self) -> None:
        """Per pool, at every moment no more meetings than members, and per day the daily limit of each."""
        for i, (pool, uses) in enumerate(self.uses.items()):
            self.budget.check("building the pooled model's capacities", i, len(self.uses))
            n = len(pool)
            for clique in maximal_cliques([(u.lo, u.hi) for u in uses]):
                self._at_most([uses[i].amount for i in clique], n)
            per_day: dict[object, list[cp_model.LinearExprT]] = defaultdict(list)
            for u in uses:
                per_day[u.day].append(u.amount)
            for amounts in per_day.values():
                if len(amounts) > self.inst.max_per_day:  # each meeting takes at most the whole pool
                    self._at_most(amounts, self.inst.max_per_day * n)

    def add_rooms(self) -> None:
        """For each set of rooms some hub meetings must use, those meetings at any moment fit in it."""
        for allowed in sorted({rooms for rooms, *_ in self.hub}, key=sorted):  # the same model every run
            inside = [(amount, lo, hi) for rooms, amount, lo, hi in self.hub if rooms <= allowed]
            for clique in maximal_cliques([(lo, hi) for _, lo, hi in inside]):
                self._at_most([inside[i][0] for i in clique], len(allowed))

    def _at_most(self, amounts: list[cp_model.LinearExprT], capacity: int) -> None:
        taken = sum(1 for a in amounts if isinstance(a, int))
        free = [a for a in amounts if not isinstance(a, int)]
        if free:
            self.m.add(sum(free) <= capacity - taken)

    # -- objective -----------------------------------------------------------------------

    def add_objective(self) -> None:
        """``solver.objective``'s terms; fair spread at its least for each pool, so the bound stays a bound."""
        for t in self.tasks:
            if t.id not in self.x:
                continue
            r, xs = t.request, self.x[t.id]
            self.terms.append((W_PLACE[r.urgency], self.placed[t.id]))
            required = [p for p, req in r.invitees if req]
            for k, x in enumerate(xs):
                cost = W_DAY_LATER[r.urgency] * days_later(self.inst, t, k) + sum(off_cost(t, p, k) for p in required)
                if cost:
                    self.terms.append((-cost, x))
            for agency, amounts in sorted(self.attend[t.id].items()):
                g = self.m.new_bool_var(f"agency[{t.id},{agency}]")
                self.m.add(g <= self.placed[t.id])
                self.m.add(g <= sum(amounts))
                self.present[(t.id, agency)] = g
                self.terms.append((W_AGENCY, g))
        for (tid, p, k), a in self.optional.items():
            self.terms.append((W_OPTIONAL - off_cost(self.by_id[tid], p, k), a))
        keen: dict[tuple[str, int], set[str]] = {}
        for (tid, j, pool, k), y in self.fill.items():
            t = self.by_id[tid]
            if (tid, j) not in keen:
                keen[(tid, j)] = continuity_people(t, j)
            gain = (W_CONTINUITY if pool[0] in keen[(tid, j)] else 0) - off_cost(t, pool[0], k)
            if gain:
                self.terms.append((gain, y))
        self._spread_terms()
        self.m.maximize(self.objective())

    def objective(self) -> cp_model.LinearExprT:
        return sum(w * e for w, e in self.terms) + self.constant

    def _spread_terms(self) -> None:
        """A pool's meetings cost at least what they would shared out evenly among its members.

        Per person the cost of c meetings, 10 for the second and 30 for each beyond, is convex, so spreading
        a pool's L meetings over its n members evenly costs least: max(0, 10 (L - n), 30 L - 50 n).
        """
        self.spread: list[tuple[cp_model.IntVar, Pool]] = []
        for pool, uses in self.uses.items():
            counted = [u.amount for u in uses if u.spread]
            n = len(pool)
            if len(counted) < 2:
                continue
            load = sum(counted)
            most = W_THIRD_PLUS * len(counted) * n
            cost = self.m.new_int_var(0, most, f"spread[{pool[0]}]")
            self.m.add(cost >= W_SECOND * (load - n))
            self.m.add(cost >= W_THIRD_PLUS * load - (2 * W_THIRD_PLUS - W_SECOND) * n)
            self.spread.append((cost, pool))
            self.terms.append((-1, cost))

    # -- hint and reading back -------------------------------------------------------------

    def add_hint(self, placements: list[Placement]) -> None:
        """Every variable from a schedule of named people (greedy's, or the incumbent)."""
        self.m.clear_hints()  # type: ignore[no-untyped-call]  # OR-Tools leaves clear_hints unannotated
        chosen = {pl.task.id: pl for pl in placements if pl.task.id in self.x}
        for tid, xs in self.x.items():
            pl = chosen.get(tid)
            self.m.add_hint(self.placed[tid], pl is not None)
            for k, x in enumerate(xs):
                self.m.add_hint(x, pl is not None and pl.k == k)
        counts: dict[tuple[str, int, Pool, int], int] = defaultdict(int)
        there: set[tuple[str, str]] = set()
        for tid, pl in chosen.items():
            slots = pl.task.request.slots
            filled: dict[int, int] = defaultdict(int)
            for a in pl.attendees:
                there.add((tid, self.inst.agency_of[a.person]))
                if a.role != "slot":
                    continue
                for j, slot in enumerate(slots):  # two slots may share a label: the first one not yet full
                    if slot.label == a.slot and a.person in slot.candidates and filled[j] < slot.count:
                        filled[j] += 1
                        counts[(tid, j, self.pool_of[a.person], pl.k)] += 1
                        break
        for key, y in self.fill.items():
            self.m.add_hint(y, counts.get(key, 0))
        optional = {(tid, a.person, pl.k) for tid, pl in chosen.items() for a in pl.attendees if a.role == "optional"}
        for who, var in self.optional.items():
            self.m.add_hint(var, who in optional)
        for pair, g in self.present.items():
            self.m.add_hint(g, pair in there)
        load: dict[Pool, int] = defaultdict(int)
        for t in self.tasks:
            pl = chosen.get(t.id) if t.fixed is None else fixed_placement(t)
            if pl is not None and t.follows is None:
                for a in pl.attendees:
                    load[self.pool_of[a.person]] += 1
        for cost, pool in self.spread:
            n, most = len(pool), load[pool]
            self.m.add_hint(
                cost, max(0, W_SECOND * (most - n), W_THIRD_PLUS * most - (2 * W_THIRD_PLUS - W_SECOND) * n)
            )

    def search(
        self, hint: list[Placement], effort: Effort, stop: Callable[[], bool]
    ) -> tuple[PooledSolution | None, Outcome]:
        """The first two tiers alone (requests placed, agencies present), from ``hint``: when meetings go,
        and from which pools.

        Those tiers' weights over W_AGENCY (200 or 100 per request, 1 per agency) are a small-range
        objective that CP-SAT climbs far faster than the whole one, where weights from 1 to 2,000,000
        hide which moves matter: bench L contended, seed 2, 12 s: 187 placed, against 184 to 185 for
        requests alone and about 180 for the whole objective (greedy 159). Who exactly attends, and the
        lower tiers, are left to the neighbourhood search on the full model, which starts from this.
        """
        self.add_hint(hint)
        tiers = sum((W_PLACE[self.by_id[tid].request.urgency] // W_AGENCY) * v for tid, v in self.placed.items())
        self.m.maximize(tiers + sum(self.present.values()))
        try:
            solver = cp_model.CpSolver()
            configure(solver, effort)
            # Measured on bench L contended, 12 s each, seeds 2 and 5: 184 to 185 and 186 to 191 placed,
            # against 183 and 186 at the default level.
            solver.parameters.linearization_level = 2
            code, work, cut = solve(solver, self.m, effort, stop)
        finally:
            self.m.maximize(self.objective())
        outcome = Outcome(solver.status_name(code), [], 0.0, 0.0, work, cut)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, outcome
        starts = {}
        for tid, xs in self.x.items():
            k = next((k for k, x in enumerate(xs) if solver.value(x)), None)
            if k is not None:
                starts[tid] = k
        solution = PooledSolution(
            starts,
            {key: solver.value(y) for key, y in self.fill.items() if solver.value(y)},
            {(tid, p) for (tid, p, _), a in self.optional.items() if solver.value(a)},
        )
        return solution, outcome


@dataclass(frozen=True)
class PooledSolution:
    """When each placed request is held and how many of each pool fill each slot: who exactly is for later."""

    starts: dict[str, int]  # request id -> start index
    fills: dict[tuple[str, int, Pool, int], int]  # (request, slot, pool, start index) -> how many
    optional: set[tuple[str, str]]  # (request, person): optional invitees who attend
