"""Helpers shared by several areas of the program: names, action lists and SDK adapters with no area of their own."""
