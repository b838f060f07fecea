"""Every absent invitee's reason on the bench's own contended instances, checked by the tests' rule checker.

``python benchmarks/check_reasons.py S,M,L`` generates each shape (team, staggered, leave) at each size for
seeds 1-3 as ``quorum bench`` does, solves at the size's time limit, and checks every stated reason against
the rota and the schedule (``tests/solver/test_solver_reasons.py``'s rules, at the bench's scale): prints
each instance's count and every reason that does not hold. A figure, not a test: it takes minutes.
"""

import sys
import tempfile
from pathlib import Path

from rotas.availability import absences_between
from scheduler.paths import example_folder
from scheduler.services.describe import describe
from scheduler.services.partnership import check_folder
from scheduler.solver.cpsat import SolveOptions, solve_cpsat
from scheduler.solver.explain import ABSENCE_WORDS
from scheduler.solver.greedy import greedy
from scheduler.solver.instance import build_instance
from scheduler.solver.starts import instant
from scheduler.synthetic.bench import FIRST, NOW, SIZES, surge
from scheduler.synthetic.generate import generate
from tests.solver.test_solver_reasons import _on_duty
from tests.solver.test_solver_search import valid

bad = 0
with tempfile.TemporaryDirectory() as tmp:
    for variant in ("team", "staggered", "leave"):
        for size in sys.argv[1].split(","):
            s = SIZES[size]
            for seed in (1, 2, 3):
                folder = Path(tmp) / f"{variant}-{size}-{seed}"
                generate(
                    folder, s.staff, s.requests, s.days, seed, FIRST, example_folder(), "contended", surge(variant, s)
                )
                p, problems, reqs = check_folder(folder)
                inst = build_instance(p, reqs, NOW)
                result = solve_cpsat(inst, greedy(inst), SolveOptions(time_limit_s=s.time_limit_s))
                broken = valid(inst, result.placements)
                doc = describe(inst, result.placements)
                placements = {pl.task.id: pl for pl in result.placements}
                checked = wrong = 0
                for m in doc["meetings"]:
                    pl = placements[m["request"]]
                    lo, hi = pl.task.span(pl.k)
                    st, en = pl.task.meeting(pl.k)
                    day = inst.local_day(pl.start)
                    for a in m["absent"]:
                        person, reason, detail = a["person"], a["reason"], a["detail"]
                        checked += 1
                        others = [
                            o
                            for o in placements.values()
                            if o.task.id != pl.task.id and any(x.person == person for x in o.attendees)
                        ]
                        on_duty = _on_duty(p, person, lo, hi)
                        free = not any(o.task.span(o.k)[0] < hi and o.task.span(o.k)[1] > lo for o in others)
                        same_day = sum(inst.local_day(o.start) == day for o in others)
                        ok = True
                        if reason == "not_added":
                            ok = False
                        elif reason == "off_duty":
                            ok = not on_duty
                        elif reason == "absence":
                            away = absences_between(p, instant(lo), instant(hi), [person])
                            ok = detail in {ABSENCE_WORDS.get(x.kind, x.kind) for x in away.get(person, [])}
                        elif reason in ("clash", "travel"):
                            named = [o for o in others if o.task.id in detail]
                            ok = bool(named) and (
                                named[0].task.meeting(named[0].k)[0] < en and named[0].task.meeting(named[0].k)[1] > st
                                if reason == "clash"
                                else named[0].task.span(named[0].k)[0] < hi and named[0].task.span(named[0].k)[1] > lo
                            )
                        elif reason == "daily_limit":
                            ok = same_day >= inst.max_per_day
                        elif reason == "settled":
                            ok = pl.task.fixed is not None
                        else:
                            ok = False
                        if pl.task.fixed is None and on_duty and free and same_day < inst.max_per_day:
                            ok = False
                        if not ok:
                            wrong += 1
                            print("  WRONG", variant, size, seed, m["request"], person, reason, detail)
                bad += wrong + len(broken)
                print(
                    variant,
                    size,
                    seed,
                    "placed",
                    len(result.placements),
                    "absent reasons checked",
                    checked,
                    "wrong",
                    wrong,
                    "rules broken",
                    len(broken),
                    flush=True,
                )
print("TOTAL wrong", bad)
sys.exit(1 if bad else 0)
