"""The spec package's root exception and the collector every validator writes into."""
from __future__ import annotations


class SpecError(Exception):
    """A registry spec (or construct props) broke one or more rules.

    ``problems`` holds one line per problem, each starting with the path of the bad field,
    e.g. ``repositories[1].pull.accounts[0]: '12345' is not a 12-digit account id``.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SpecFileError(SpecError):
    """The file holding the spec could not be read or is not JSON (before any rule is checked)."""


class Problems:
    """Collects problems so validation can report all of them at once, then raise once."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._paths: set[str] = set()
        self.reported = 0  # every add counts, repeated lines too: compare before/after to see if a part failed

    def add(self, path: str, message: str) -> None:
        self.reported += 1
        self._paths.add(path)
        line = f"{path}: {message}" if path else message
        if line not in self._lines:  # a bad default is seen once per repository; say it once
            self._lines.append(line)

    def reported_under(self, prefix: str) -> bool:
        """Whether a problem was reported at ``prefix`` or a field under it (``environments`` covers
        ``environments.dev.account``): a check that depends on that part would only repeat it (a follow-on)."""
        return any(path == prefix or path.startswith((prefix + ".", prefix + "[")) for path in self._paths)

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def __bool__(self) -> bool:
        return bool(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def raise_if_any(self) -> None:
        if self._lines:
            raise SpecError(self._lines)
