"""The ``aihq`` console script: the project's ``manage.py``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command with AIHQ's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aihq.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
