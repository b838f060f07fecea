"""How long `quorum` takes to show a usable dashboard on the example: run it and print the figures.

Measures a fresh Python process from launch to the dashboard's tables being filled (headless, the
same app the terminal shows), five times, and prints each run and the median. Not a test: this
machine is shared and noisy, so figures are read, never asserted.

    python benchmarks/ui_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import asyncio, sys
from pathlib import Path
from scheduler.ui import create_app

async def main():
    app = create_app(Path(sys.argv[1]))
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.screen.query("#states") or app.screen.query_one("#states").row_count == 0:
            await pilot.pause(0.01)
    print("ready")

asyncio.run(main())
"""


def main() -> None:
    from scheduler.paths import example_folder
    from scheduler.services import partnership as services

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        services.load(db, example_folder())
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True, check=True)
            assert out.stdout.strip() == "ready", out.stderr
            runs.append(time.perf_counter() - started)
    print("launch to a usable dashboard (s):", " ".join(f"{r:.2f}" for r in runs))
    print(f"median {statistics.median(runs):.2f} s")


if __name__ == "__main__":
    main()
