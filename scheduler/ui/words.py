"""The words the screens share for things the data names by id: kinds of meeting, reasons, agencies.

One list, so a kind reads the same on the request list, the schedule and the dashboard ("profs' mtg",
"RCPC"), never as a cut id ("professionals-meeti"), and an agency by its name, not "social-work".
"""

from __future__ import annotations

# The names coordinators use (ICPC, RCPC), short enough for an 80-column terminal.
KIND_SHORT = {
    "strategy-discussion": "strategy",
    "initial-conference": "ICPC",
    "core-group": "core group",
    "review-conference": "RCPC",
    "professionals-meeting": "profs' mtg",
    "joint-visit": "joint visit",
    "daily-high-risk": "daily risk",
    "custom": "meeting",
}

# Why a request is not placed, in a table's few columns (the detail beside it says it in full).
REASON_SHORT = {
    "no_common_time": "no common time",
    "daily_limit": "daily limit",
    "dependency": "waits on another",
    "outside_horizon": "outside period",
    "not_placed": "not placed",
    "not_explained": "no reason yet",
    "past": "window passed",
    "clash": "clashes",
    "room": "no room free",
}


def kind_text(kind: str | None) -> str:
    return KIND_SHORT.get(kind or "", (kind or "").replace("-", " "))


def reason_text(reason: str) -> str:
    return REASON_SHORT.get(reason, reason.replace("_", " "))


def agency_name(agency: str, names: dict[str, str]) -> str:
    """An agency by its name as the partnership calls it ("Children's Social Work"), its id when unknown."""
    return names.get(agency, agency)
