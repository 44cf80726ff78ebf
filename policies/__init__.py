"""Security policy pack. Rule modules import without side effects; only `__main__.py` builds the PolicyPack."""
