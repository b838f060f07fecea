"""A what-if comparison as a report for a partnership board: Markdown and HTML with charts (matplotlib).

The HTML is one self-contained file (its charts embedded); the Markdown links the same charts, written
as PNG files beside it. Both say only what the comparison says: case references and staff ids, never a
family's name, nothing from a request's notes. matplotlib is imported here only, when a report is asked
for, so the CLI's and the UI's start-up do not pay for it.
"""

from __future__ import annotations

import base64
import html
import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scheduler.errors import UserError
from scheduler.services.whatif_text import comparison_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HOURS = range(6, 24)  # the charts show the working day and evening; the small hours add nothing to read


def check_folder(folder: Path) -> None:
    """A UserError now (before minutes of work) if ``folder`` cannot hold the report."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--report {folder} is a file: give a folder for the report")
    parent = folder if folder.exists() else folder.parent
    if not parent.exists() or not os.access(parent, os.W_OK):
        raise UserError(f"--report {folder}: cannot write there (check the folder exists and is yours)")


def _files_only() -> None:
    """Charts go to files: no window, no display needed (before pyplot is first imported)."""
    import matplotlib

    matplotlib.use("Agg")


def heatmaps_png(doc: dict[str, Any]) -> bytes:
    """Before, after and the difference: agencies on duty for the whole hour, by weekday and hour."""
    _files_only()
    from matplotlib import pyplot as plt

    week = doc["overlap"]["week"]
    hours = list(HOURS)
    before = [[row[h] for h in hours] for row in week["before"]]
    after = [[row[h] for h in hours] for row in week["after"]]
    diff = [[a - b for a, b in zip(ra, rb, strict=True)] for ra, rb in zip(after, before, strict=True)]
    fig, axes = plt.subplots(3, 1, figsize=(9, 8.5), constrained_layout=True)
    top = week["agencies"]
    for ax, data, title, cmap, lo, hi in (
        (axes[0], before, "As it is: agencies on duty (average)", "YlGn", 0, top),
        (axes[1], after, "With the scenario", "YlGn", 0, top),
        (axes[2], diff, "Difference (with the scenario minus as it is)", "RdBu", -2, 2),
    ):
        image = ax.imshow(data, aspect="auto", cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(title, fontsize=10)
        ax.set_yticks(range(7), week["weekdays"])
        ax.set_xticks(range(len(hours)), [f"{h:02d}" for h in hours], fontsize=8)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return _png(fig)


def attendance_png(doc: dict[str, Any]) -> bytes | None:
    """Per agency, the share of the requests asking for it at which it is there, as it is and with it."""
    sets = [(k, m) for k, m in doc["meetings"].items() if "before" in m]
    if not sets:
        return None
    _files_only()
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, len(sets), figsize=(5 * len(sets), 3.8), constrained_layout=True, squeeze=False)
    for ax, (key, m) in zip(axes[0], sets, strict=True):
        agencies = sorted(set(m["before"]["presence"]) | set(m["after"]["presence"]))
        xs = range(len(agencies))
        b = [m["before"]["presence"].get(a, {}).get("rate", 0) * 100 for a in agencies]
        a = [m["after"]["presence"].get(a, {}).get("rate", 0) * 100 for a in agencies]
        ax.bar([x - 0.2 for x in xs], b, width=0.4, label="as it is", color="#7f7f7f")
        ax.bar([x + 0.2 for x in xs], a, width=0.4, label="with the scenario", color="#1f77b4")
        ax.set_xticks(list(xs), agencies, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 100)
        ax.set_ylabel("% of requests asking for it")
        ax.set_title("Pending requests" if key == "pending" else "A typical fortnight", fontsize=10)
        ax.legend(fontsize=8)
    return _png(fig)


def _png(fig: Figure) -> bytes:
    from matplotlib import pyplot as plt

    out = io.BytesIO()
    # No date in the file's metadata: the same comparison writes the same bytes.
    fig.savefig(out, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()


def markdown(doc: dict[str, Any], charts: dict[str, str]) -> str:
    s = doc["scenario"]
    parts = [
        f"# What if: {s['name']}",
        "",
        f"Partnership `{doc['partnership']}`, scenario file `{Path(s['file']).name}`.",
        "",
        "The figures compare the partnership as it is with the scenario's changes, over the same period, "
        "the same requests and the same solver settings (see the last line).",
        "",
        "## Charts",
        "",
    ]
    parts += [f"![{alt}]({name})" for name, alt in charts.items()]
    parts += ["", "## The comparison", "", "```", comparison_text(doc).rstrip(), "```", ""]
    return "\n".join(parts)


def html_page(doc: dict[str, Any], images: dict[str, tuple[str, bytes]]) -> str:
    title = html.escape(f"What if: {doc['scenario']['name']}")
    figures = "".join(
        f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
        f"<figcaption>{html.escape(alt)}</figcaption></figure>"
        for alt, data in images.values()
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}img{max-width:100%}"
        "pre{background:#f4f4f4;padding:1em;overflow-x:auto}</style></head><body>"
        f"<h1>{title}</h1>{figures}<h2>The comparison</h2><pre>{html.escape(comparison_text(doc))}</pre>"
        "</body></html>\n"
    )


def write_report(doc: dict[str, Any], folder: Path) -> Path:
    """report.md, report.html and the charts' PNGs in ``folder``; each file written whole (to a temporary
    file, then renamed) so an interrupted run never leaves half a report. Returns report.html's path."""
    check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images: dict[str, tuple[str, bytes]] = {
        "whatif-heatmaps.png": ("Agencies on duty by weekday and hour", heatmaps_png(doc))
    }
    attendance = attendance_png(doc)
    if attendance is not None:
        images["whatif-attendance.png"] = ("How often each agency is there", attendance)
    files: dict[str, bytes] = {name: data for name, (_, data) in images.items()}
    files["report.md"] = markdown(doc, {name: alt for name, (alt, _) in images.items()}).encode()
    files["report.html"] = html_page(doc, images).encode()
    try:
        for name, data in files.items():
            with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, folder / name)
    except OSError as exc:
        raise UserError(f"cannot write the report into {folder}: {exc.strerror or exc}") from exc
    return folder / "report.html"
