"""The JSON shapes every spec section is read with: objects with allowed keys and lists, one path-style line
per problem (``registry.signing[1].filter: unknown key (allowed: ...)``). Used by ``parse``,
``registry_parse``, ``creation_templates`` and ``publisher`` so the messages are the same everywhere."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from .errors import Problems
from .names import did_you_mean, show


def allowed(keys: set[str]) -> str:
    return ", ".join(sorted(keys))


def check_keys(obj: Mapping[str, Any], keys: set[str], path: str, problems: Problems) -> None:
    """Reports each key of ``obj`` that is not in ``keys``; ``path`` "" is the top level."""
    for key in obj:
        if key not in keys:
            problems.add(f"{path}.{key}" if path else key,
                         f"unknown key{did_you_mean(key, keys)} (allowed: {allowed(keys)})")


def as_object(value: Any, path: str, problems: Problems, what: str = "an object") -> dict[str, Any]:
    """``value`` if it is an object; None and anything else (reported as "must be ``what``") give {}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(path, f"{show(value)} must be {what}")
        return {}
    return value


def not_a_list(value: Any) -> str:
    """The message for a value where a list belongs (a single string gets the list it probably meant)."""
    if isinstance(value, str):
        return f"{show(value)} must be a list, such as [{show(value)}]"
    return f"{show(value)} must be a list"


def as_list(value: Any, path: str, problems: Problems) -> list[Any]:
    """``value`` if it is a list; None and anything else (reported once, never item by item) give []."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, not_a_list(value))
        return []
    return value


def objects(items: list[Any], path: str, keys: set[str], problems: Problems,
            what: str = "an object") -> Iterator[tuple[str, dict[str, Any]]]:
    """The items of a list of objects with their paths (``path[i]``), unknown keys reported; an item that is
    not an object is reported ("must be ``what``") and skipped."""
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]"
        if not isinstance(item, dict):
            problems.add(item_path, f"{show(item)} must be {what}")
            continue
        check_keys(item, keys, item_path, problems)
        yield item_path, item
