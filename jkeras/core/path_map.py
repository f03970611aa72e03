"""Looking a path up in a map keyed by paths or by regexes over whole paths (LayoutMap,
DTypePolicyMap)."""

import re

_MISSING = object()


def lookup(mapping, key, kind, subject, owner, default=None):
    """`mapping[key]`, else the value of the one regex key that matches all of `key`, else
    `default`; several matching keys are a ValueError naming the `kind` of specification, the
    `subject` paths and the `owner` map class."""
    found = mapping.get(key, _MISSING)
    if found is not _MISSING:
        return found
    matches = [pattern for pattern in mapping if re.fullmatch(pattern, key)]
    if len(matches) > 1:
        raise ValueError(
            f"Path '{key}' matches multiple {kind} specification keys: {matches}. Please make "
            f"sure each {subject} only matches at most one {kind} specification key in the "
            f"{owner}."
        )
    return mapping[matches[0]] if matches else default
