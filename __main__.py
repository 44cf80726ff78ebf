"""Pulumi entry point: load settings -> build components -> export outputs."""

import pulumi

from components.platform import build_platform
from components.settings import load_config

for _name, _value in build_platform(load_config()).items():
    pulumi.export(_name, _value)
