"""Typed stack settings. `load_config()` is the only place the program reads `pulumi.Config`."""

from .loader import SECRET_KEYS, LoadedConfig, Secrets, SettingsError, format_errors, load_config, parse_settings
from .stack import StackSettings

__all__ = [
    "SECRET_KEYS",
    "LoadedConfig",
    "Secrets",
    "SettingsError",
    "StackSettings",
    "format_errors",
    "load_config",
    "parse_settings",
]
