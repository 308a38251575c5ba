"""Helpers for requests that pages share."""

from __future__ import annotations

from django.http import QueryDict


def non_empty_query(query: QueryDict) -> QueryDict | None:
    """The query without blank values (a filter form sends its empty fields too), or None when nothing is left."""
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            cleaned.setlist(key, kept)
    return cleaned or None
