"""`make bench`: median wall time of `ops plan --stack production` against the import floor.

The import floor is a fresh process that only imports pulumi and the three provider SDKs (the target:
the plan costs at most 1.3 times that). `pulumi_aws` loads its submodules lazily, so the floor does not
include them; the second floor touches the AWS submodules the program uses, to show how much of the
plan is the SDKs' own import cost rather than the program's work. Last, the GitHub area's scaling with
50 managed repositories (issue #7).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from .boundary import EXIT_FAILED, OpsError
from .strict_yaml import read_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
TARGET_RATIO = 1.3
IMPORT_FLOOR = "import pulumi, pulumi_aws, pulumi_github, pulumi_cloudflare"
AWS_MODULES_USED = ("s3", "kms", "iam", "sns", "cloudwatch", "budgets", "costexplorer")
IMPORT_FLOOR_WITH_AWS = IMPORT_FLOOR + "".join(f"; pulumi_aws.{m}.__name__" for m in AWS_MODULES_USED)


def _timed(command: list[str]) -> tuple[float, str]:
    """Seconds and stdout of one run; a failed run ends the bench with its last stderr line (exit 1)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise OpsError(f"bench: `{' '.join(command[1:])}` exited {done.returncode}: {last}", EXIT_FAILED)
    return seconds, done.stdout


def _median_seconds(command: list[str]) -> float:
    return statistics.median(_timed(command)[0] for _ in range(RUNS))


def run_bench() -> int:
    floor = _median_seconds([sys.executable, "-c", IMPORT_FLOOR])
    floor_aws = _median_seconds([sys.executable, "-c", IMPORT_FLOOR_WITH_AWS])
    plan = _median_seconds([sys.executable, "-m", "ops", "plan", "--stack", "production", "--json"])
    ratio = plan / floor
    print(f"import floor (pulumi + aws + github + cloudflare):  {floor:.2f} s (median of {RUNS})")
    print(f"  ... plus the AWS submodules the program touches:  {floor_aws:.2f} s")
    print(f"ops plan --stack production (with policies):        {plan:.2f} s")
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(
        f"ratio: {ratio:.2f} ({verdict} the {TARGET_RATIO} target); against the floor with AWS submodules: "
        f"{plan / floor_aws:.2f}"
    )
    for line in github_scale():
        print(line)
    return 0


def github_scale(repositories: int = 50, stack: str = "production", runs: int = 3) -> list[str]:
    """Plan time and resource count of `stack` as it is and with `repositories` managed repositories.

    The stack file of a throwaway program copy lists `lodgetix`-style names `<owner>/app-00`...; each
    repository adds the same GitHub resources, so the time should grow roughly linearly with the count.
    """
    import json
    import shutil
    import tempfile

    def measure(program: Path) -> tuple[float, int]:
        samples, count = [], 0
        for _ in range(runs):
            seconds, stdout = _timed(
                [sys.executable, "-m", "ops", "plan", "--stack", stack, "--program", str(program), "--json"]
            )
            samples.append(seconds)
            count = len(json.loads(stdout)["resources"])
        return statistics.median(samples), count

    with tempfile.TemporaryDirectory() as tmp:
        program = Path(tmp)
        shutil.copy(REPO_ROOT / "Pulumi.yaml", program)
        shutil.copy(REPO_ROOT / "__main__.py", program)
        shutil.copytree(REPO_ROOT / "components", program / "components", ignore=shutil.ignore_patterns("__pycache__"))
        document = read_yaml(REPO_ROOT / f"Pulumi.{stack}.yaml")
        github = document["config"]["functions-platform:github"]
        base_count = len(github["repositories"])
        github["repositories"] = [f"{github['owner']}/app-{i:02d}" for i in range(repositories)]
        (program / f"Pulumi.{stack}.yaml").write_text(json.dumps(document))  # JSON is YAML
        base_seconds, base_resources = measure(REPO_ROOT)
        scaled_seconds, scaled_resources = measure(program)
    per_repository = (scaled_seconds - base_seconds) / max(repositories - base_count, 1)
    return [
        f"ops plan --stack {stack}, {base_count} repositories: {base_seconds:.2f} s, {base_resources} resources",
        f"ops plan --stack {stack}, {repositories} repositories: {scaled_seconds:.2f} s, {scaled_resources} resources",
        f"per added repository: {per_repository * 1000:.0f} ms, "
        f"{(scaled_resources - base_resources) / max(repositories - base_count, 1):.1f} resources (median of {runs})",
    ]
