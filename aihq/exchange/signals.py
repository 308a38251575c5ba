"""Signals other capabilities listen to, so the importer need not know them."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent inside the import's transaction after a chunk of use cases is written: ``actor``, ``ids``.
#: A receiver's writes are part of the import (a dry run or an abort rolls them back with it).
use_cases_imported = Signal()
