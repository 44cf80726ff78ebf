"""The process as `pulumi` sets it up for a program: its directory as cwd and first on the import path.

A module another program loaded under one of this program's names (`components`, ...) is evicted first, so that
two programs evaluated in one process (the tests do) never see each other's code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The evaluator's own packages stay: evicting them would leave two copies of each class (an `InputError`
# the error boundary no longer recognises) once a program that has an `ops/` or `policies/` folder ran.
OWN_PACKAGES = ("ops", "policies")


@contextmanager
def program_context(program_dir: Path) -> Iterator[None]:
    """cwd and import path as `pulumi` sets them; modules another program loaded under the same names are evicted."""
    local_names = {p.stem for p in program_dir.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    local_names -= {"__main__", *OWN_PACKAGES}
    for module_name, module in list(sys.modules.items()):
        top = module_name.split(".")[0]
        module_file = getattr(module, "__file__", None) or ""
        if top in local_names and module_file and not Path(module_file).resolve().is_relative_to(program_dir):
            del sys.modules[module_name]
    previous_cwd = Path.cwd()
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        if sys.path and sys.path[0] == str(program_dir):
            sys.path.pop(0)
