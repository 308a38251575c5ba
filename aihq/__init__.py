"""AIHQ: the platform an AI headquarters runs on."""

__version__ = "0.1.0"
