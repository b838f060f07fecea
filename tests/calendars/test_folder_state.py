"""After any sequence of solve, move, cancel and export, each export folder holds exactly the current state.

The expected state is worked out here, independently of the ledger: from the meetings as they stand and
from what this test saw exported before (each meeting's versions, each folder's attendees).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import textwrap
from datetime import datetime
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scheduler.calendars.export import MANIFEST, export
from scheduler.errors import UserError
from scheduler.services import partnership as services
from scheduler.services import scheduling
from scheduler.store.database import Store
from tests.conftest import BASE_FILES, NOW, write_folder

PEOPLE = textwrap.dedent(BASE_FILES["people.toml"]) + textwrap.dedent("""
    [[people]]
    id = "officer-2"
    name = "DC Two"
    email = "two@example.org"
    team = "unit"
    role = "Police officer"
    offset = 3  # on a different shift from DC One most days, so a move can change which officer comes

    [[people]]
    id = "worker-2"
    name = "Kim Worker"
    email = "kim@example.org"
    team = "district"
    role = "Social worker"
""")
REQUESTS = "".join(
    f"""
    [[requests]]
    id = "{rid}"
    kind = "custom"
    case = "CP-10{n}"
    earliest = 2026-03-02
    latest = 2026-03-06
    slots = [{{ team = "unit" }}, {{ team = "district" }}]
    """
    for n, rid in enumerate(("m-one", "m-two", "m-three"), start=1)
)
RIDS = ("m-one", "m-two", "m-three")
TIMES = [datetime(2026, 3, d, h, 0) for d in (3, 4, 5, 6) for h in (9, 11, 14, 16)]
# DC One and DC Two are on duty on different days: moving between these changes which officer comes.
SWAP = (datetime(2026, 3, 3, 9, 0), datetime(2026, 3, 6, 11, 0))

operations = st.lists(
    st.one_of(
        st.tuples(st.just("export"), st.sampled_from(("A", "B"))),
        st.tuples(st.just("move"), st.sampled_from(RIDS), st.sampled_from(TIMES)),
        st.tuples(st.just("cancel"), st.sampled_from(RIDS)),
        st.tuples(st.just("solve"), st.just(None)),
    ),
    min_size=1,
    max_size=9,
)


def template() -> Path:
    """One loaded, solved partnership, copied for every example (loading and solving take the time)."""
    if not hasattr(template, "db"):
        root = Path(tempfile.mkdtemp(prefix="quorum-folder-state-"))
        folder = write_folder(root / "p", {"people.toml": PEOPLE, "requests.toml": REQUESTS})
        db = root / "q.db"
        services.load(db, folder, NOW)
        scheduling.solve(db, None, scheduling.SolveRequest(time_limit_s=5), now=NOW)
        template.db = db  # type: ignore[attr-defined]
    return template.db  # type: ignore[attr-defined]


def significant(m: dict) -> tuple | None:
    """What makes a new SEQUENCE: time, room, who is invited (None: not in any calendar)."""
    if m["status"] not in ("placed", "issued"):
        return None
    return (m["start"], m["end"], m["room"], tuple(sorted(a["person"] for a in m["attendees"])))


class Oracle:
    """What an export must leave, from what was exported before."""

    def __init__(self) -> None:
        self.sequence: dict[str, int] = {}
        self.last: dict[str, tuple | None] = {}  # each meeting's state when last exported anywhere
        self.told: dict[str, dict[str, set[str]]] = {"A": {}, "B": {}}  # folder: meeting: people ever invited

    def export(self, folder: str, meetings: dict[str, dict]) -> dict[str, tuple[str, int, set[str]]]:
        """{file stem kind: (METHOD, SEQUENCE, attendees)} expected, keyed by (meeting, person or "")."""
        expected = {}
        for rid in RIDS:
            now = significant(meetings[rid]) if rid in meetings else None
            if rid not in self.last:
                if now is None:
                    continue
                self.sequence[rid] = 0
            elif now != self.last[rid]:
                self.sequence[rid] += 1
            self.last[rid] = now
            told = self.told[folder].setdefault(rid, set())
            if now is not None:
                people = set(now[3])
                expected[(rid, "")] = ("REQUEST", self.sequence[rid], people)
                for gone in told - people:
                    expected[(rid, gone)] = ("CANCEL", self.sequence[rid], {gone})
                told |= people
            elif told:
                expected[(rid, "")] = ("CANCEL", self.sequence[rid], None)
        return expected


def emails(db: Path) -> dict[str, str]:
    return {x.email: x.id for x in services.open_partnership(db).people}


def held(db: Path, folder: Path) -> dict[tuple[str, str], tuple[str, int, set[str]]]:
    """What the folder holds, read back from its files (meeting found by UID, person from the file)."""
    with Store.open(db) as store:
        by_uid = {v["uid"]: rid for rid, v in store.versions(store.partnership().id).items()}
    people = emails(db)
    out = {}
    for sub in ("invites", "cancellations"):
        for path in sorted((folder / sub).glob("*.ics")) if (folder / sub).exists() else []:
            cal = icalendar.Calendar.from_ical(path.read_bytes())
            (event,) = cal.walk("VEVENT")
            rid = by_uid[str(event["UID"])]
            attendees = event.get("ATTENDEE")
            attendees = attendees if isinstance(attendees, list) else [attendees] if attendees else []
            invited = {people[str(a).removeprefix("mailto:")] for a in attendees}
            one = ""
            if sub == "cancellations" and len(invited) == 1 and path.stem.endswith("-" + next(iter(invited))):
                one = next(iter(invited))
            key = (rid, one)
            assert key not in out, f"two files for {key}"
            out[key] = (str(cal["METHOD"]), int(event["SEQUENCE"]), invited)
    return out


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
@example(
    ops=[
        ("export", "A"),
        ("move", "m-one", SWAP[0]),
        ("export", "A"),
        ("move", "m-one", SWAP[1]),
        ("export", "A"),
        ("export", "B"),
        ("cancel", "m-one"),
        ("move", "m-two", SWAP[1]),
        ("export", "A"),
        ("export", "B"),
    ]
)
def test_an_export_folder_holds_exactly_the_current_state(ops: list[tuple]) -> None:
    root = Path(tempfile.mkdtemp(prefix="quorum-ops-"))
    try:
        db = root / "q.db"
        shutil.copy(template(), db)
        folders = {"A": root / "A", "B": root / "B"}
        for f in folders.values():
            f.mkdir()
            (f / "notes.txt").write_text("the coordinator's own file")
        oracle = Oracle()
        for op in ops:
            if op[0] == "move":
                with contextlib.suppress(UserError):  # not a time everyone can come: nothing changes
                    scheduling.move(db, None, op[1], to=op[2], now=NOW)
            elif op[0] == "cancel":
                with contextlib.suppress(UserError):  # cancelled already
                    scheduling.cancel(db, None, op[1], now=NOW)
            elif op[0] == "solve":
                scheduling.solve(db, None, scheduling.SolveRequest(time_limit_s=2), now=NOW)
            else:
                folder = folders[op[1]]
                export(db, None, folder, now=NOW)
                with Store.open(db) as store:
                    meetings = store.meetings(store.partnership().id)
                expected = oracle.export(op[1], meetings)
                got = held(db, folder)
                assert set(got) == set(expected), (op, got, expected)
                for key, (method, seq, people) in expected.items():
                    assert got[key][:2] == (method, seq), key
                    if people is not None:
                        assert got[key][2] == people, key
                assert (folder / "notes.txt").exists() and (folder / MANIFEST).exists()
                assert len(list((folder / "teams").glob("*.ics"))) == 2 + 2  # two teams, two agencies
    finally:
        shutil.rmtree(root, ignore_errors=True)
