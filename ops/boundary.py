"""The error boundary every `python -m ops` command runs inside, and the exit codes it maps failures to.

An expected failure (bad input, a refused precondition, a failed external step) is an `OpsError`: one
message on stderr and its exit code. Anything else is a bug: a short report that names the exception type
and where it was raised, but never the exception's text (it may hold a config value or a secret), unless
the user asked for the traceback with `--debug`.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and its verdict is negative: a mandatory policy violated, a pulumi step failed
EXIT_INPUT = 2  # the input cannot be used: bad stack file, settings, arguments, program or policy config
EXIT_BUG = 70  # an unexpected error inside ops itself (EX_SOFTWARE of sysexits.h)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class OpsError(Exception):
    """An expected failure with a message for people; `exit_code` says how the command ends."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class InputError(OpsError):
    """Input that cannot be used (a file, a value, an argument); always exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_INPUT)


def printable(text: str) -> str:
    """`text` with control characters escaped (a newline in a value must not forge a second message line)."""
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode() for c in text)


def _where(exc: BaseException) -> str:
    """The innermost frame of this repository's code that the exception passed through."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(PACKAGE_ROOT) and ".venv" not in path.parts:
            return f" at {path.relative_to(PACKAGE_ROOT)}:{frame.lineno}"
    return ""


def bug_report(command: str, exc: BaseException) -> str:
    return (
        f"ops {command}: internal error ({type(exc).__name__}{_where(exc)}). This is a bug in ops, not in your "
        "input: please report it in this repository's issue tracker with the command you ran. Rerun with "
        "`python -m ops --debug ...` to include the traceback (it may show configuration values)."
    )


def guarded(command: str, run: Callable[[], int], *, debug: bool = False) -> int:
    """Run one command; turn every failure into a message on stderr and a documented exit code."""
    try:
        return run()
    except OpsError as exc:
        print(printable(exc.message), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"ops {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (`ops plan | head`): point stdout at /dev/null so the final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as exc:
        if debug:
            traceback.print_exc()
        print(bug_report(command, exc), file=sys.stderr)
        return EXIT_BUG
