"""`make bench`: median wall time of `ops plan --stack production` against the import floor.

The import floor is a fresh process that only imports pulumi and the three provider SDKs; the plan
costs at most 1.3 times that when nothing but the program's own work is added on top.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
TARGET_RATIO = 1.3
IMPORT_FLOOR = "import pulumi, pulumi_aws, pulumi_github, pulumi_cloudflare"


def _median_seconds(command: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_bench() -> int:
    floor = _median_seconds([sys.executable, "-c", IMPORT_FLOOR])
    plan = _median_seconds([sys.executable, "-m", "ops", "plan", "--stack", "production", "--json"])
    ratio = plan / floor
    print(f"import floor (pulumi + aws + github + cloudflare): {floor:.2f} s (median of {RUNS})")
    print(f"ops plan --stack production:                       {plan:.2f} s (median of {RUNS})")
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"ratio: {ratio:.2f} ({verdict} the {TARGET_RATIO} target)")
    return 0
