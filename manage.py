#!/usr/bin/env python
"""Django's manage.py; the installed ``aihq`` command does the same."""

from aihq.__main__ import main

if __name__ == "__main__":
    main()
