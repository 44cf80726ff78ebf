"""How a program that cannot be evaluated is reported: one `ProgramError`, never a traceback."""

from __future__ import annotations

import traceback
from pathlib import Path

import pulumi

from ops.boundary import InputError


class ProgramError(InputError):
    """The program or its settings could not be evaluated. `settings` is True for a user's settings mistake."""

    def __init__(self, message: str, *, settings: bool = False) -> None:
        super().__init__(message)
        self.settings = settings


def describe_failure(exc: BaseException, program_dir: Path) -> ProgramError:
    """The failure as one message, naming the program's own file and line it came from."""
    if isinstance(exc, ProgramError):
        return exc
    if isinstance(exc, pulumi.RunError):
        # Raised deliberately by a program for a user's mistake (our SettingsError is one).
        return ProgramError(str(exc), settings=True)
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve().is_relative_to(program_dir)
    ]
    where = f" (at {Path(frames[-1].filename).relative_to(program_dir)}:{frames[-1].lineno})" if frames else ""
    return ProgramError(f"the program failed: {type(exc).__name__}: {exc}{where}")
