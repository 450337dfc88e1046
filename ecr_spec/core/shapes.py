"""The JSON shapes every spec section is read with: objects with allowed keys and lists, one path-style line
per problem (``registry.signing[1].filter: unknown key (allowed: ...)``). Used by ``parse``,
``registry_parse``, ``creation_templates``, ``organization_parse`` and ``publisher`` so the messages are the same
everywhere."""
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


def home_environment(body: Mapping[str, Any], section: str, environments: Mapping[str, Any], missing: str,
                     problems: Problems) -> Any:
    """The environment ``body["environment"]`` names (a section's home: ``organization``, ``publisher``), or None
    with ``missing`` (the text for an absent name) or the known names reported under ``section.environment``."""
    name = body.get("environment")
    environment = environments.get(name) if isinstance(name, str) else None
    if name is None:
        problems.add(f"{section}.environment", missing)
    elif environment is None:
        problems.add(f"{section}.environment", f"{show(name)} is not an environment of this spec "
                     f"(known: {', '.join(environments)})")
    return environment


def check_home_region(region: Any, environment: Any, section: str, problems: Problems) -> None:
    """Reports under ``section.region`` a ``region`` the home ``environment`` lacks. Each caller picks its own
    default (the environment's first region) first: ``organization`` reports an explicit null, ``publisher``
    reads it as absent."""
    if region not in environment.regions:
        problems.add(f"{section}.region", f"{show(region)} is not a region of environments.{environment.name} "
                     f"({', '.join(environment.regions)})")
