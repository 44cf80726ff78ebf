"""`evaluate`: run a Pulumi Python program in-process under the mock runtime and return what it registered."""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path
from typing import Any

import pulumi

from components.shared.pulumi_internals import (
    forget_previous_run,
    reset_options,
    run_program,
    set_mocks,
    stack_exports,
)

from .failures import ProgramError, describe_failure
from .mock_account import OfflineMocks
from .program_context import program_context
from .recording_monitor import RecordingMonitor
from .records import Evaluation
from .run_config import read_run_config


def evaluate(program_dir: Path | str, stack: str, secrets: dict[str, str] | None = None) -> Evaluation:
    """Run the program in `program_dir` with the settings of `Pulumi.<stack>.yaml`; raise `ProgramError` if it fails.

    `secrets` (`<key>` or `<namespace>:<key>` -> value) stand for values set with `pulumi config set --secret`:
    the program sees them decrypted and marked secret, in place of the offline placeholders.
    """
    program_dir = Path(program_dir).resolve()
    run = read_run_config(program_dir, stack, secrets)
    project, stack, config = run.project, run.stack, run.config
    main = project.main
    region = config.get("aws:region", "us-east-1")

    loop = asyncio.new_event_loop()
    # A failing program leaves many futures holding the same exception; it is reported once, as a
    # ProgramError, instead of one "exception was never retrieved" traceback per future.
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    mocks = OfflineMocks(region)
    monitor = RecordingMonitor(mocks)
    reset_options(project=project.name, stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, run.secret_keys)
    set_mocks(mocks, project=project.name, stack=stack, preview=False, monitor=monitor)
    forget_previous_run()

    outputs: dict[str, Any] = {}
    secret_outputs: set[str] = set()

    async def collect_outputs() -> None:
        # One await for every export (not one event-loop pump per export): the program's RPCs finish together.
        exports = {name: pulumi.Output.from_input(value) for name, value in stack_exports().items()}
        values = await asyncio.gather(*(o.future() for o in exports.values()))
        secrets = await asyncio.gather(*(o.is_secret() for o in exports.values()))
        for (name, value), secret in zip(zip(exports, values, strict=True), secrets, strict=True):
            outputs[name] = value
            if secret:
                secret_outputs.add(name)

    def program() -> Any:
        runpy.run_path(str(main), run_name="__main__")
        return collect_outputs()

    try:
        with program_context(program_dir):
            run_program(program)
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise describe_failure(exc, program_dir) from exc
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        reset_options()

    if monitor.duplicates:
        raise ProgramError(f"Duplicate resource URN '{monitor.duplicates[0]}'; try giving it a unique name")
    return Evaluation(
        project=project.name,
        stack=stack,
        program_dir=program_dir,
        # The SDK registers from a thread pool, so arrival order varies between runs: sorted, a plan diffs cleanly.
        resources=sorted(monitor.recorded, key=lambda r: r.urn),
        outputs=outputs,
        secret_outputs=secret_outputs,
        config=config,
    )
