"""The sandbox's exceptions: one root, a few specific kinds.

The command line prints ``sandbox: error: <message>`` for any of them and exits 1, so every message is
one line that says what went wrong and how to fix it.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Root of every error the sandbox raises on purpose."""


class MissingPackageError(SandboxError):
    """A Debian package the sandbox needs is not installed and cannot be installed from here."""


class AddressInUseError(SandboxError):
    """A port or loopback address the sandbox wants is held by another program."""


class ComponentError(SandboxError):
    """A component (moto, dockerd, a registry, the gateway) did not start or answer."""


class SpecReadError(SandboxError):
    """The registry spec could not be read."""
