"""Host names and trust: the ``/etc/hosts`` lines and ``/etc/docker/certs.d/HOST/ca.crt`` files.

Everything here is recorded in the sandbox's state *before* it is written, so ``down`` (also after a
crash) removes exactly what this sandbox wrote and nothing else:

- /etc/hosts: the exact lines (each ends ``# ecr-sandbox <sandbox folder>``); another sandbox folder's
  lines, and the user's, stay. A line that already maps one of the spec's host names elsewhere makes
  ``up`` refuse (the first match wins, so the sandbox would not be reached). The file is rewritten in
  place (it is often a bind mount that cannot be replaced).
- certs.d: a ``HOST`` folder the sandbox made (removed on ``down`` while it holds only the sandbox's
  ``ca.crt``), or only the ``ca.crt`` it added to a folder that existed before (the folder and the user's
  other files, e.g. ``client.key``, stay). A different ``ca.crt`` of the user's makes ``up`` refuse; one
  left by another ECR sandbox is replaced and put back on ``down``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from cryptography import x509

from ecr_sandbox.control import files
from ecr_sandbox.control.certs import CA_NAME
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.state import HOSTS_TAG, Paths, State, TrustRecord


def host_line(paths: Paths, host: str, address: str) -> str:
    return f"{address} {host} {HOSTS_TAG} {paths.root}"


def _rewrite(paths: Paths, transform) -> None:  # type: ignore[no-untyped-def]
    hosts_file = paths.system.hosts_file
    try:
        with open(hosts_file, "r+") as fh:
            lines = fh.read().splitlines()
            new = transform(lines)
            if new != lines:
                fh.seek(0)
                fh.write("\n".join(new) + "\n" if new else "")
                fh.truncate()
    except PermissionError as exc:
        raise SandboxError(f"cannot write {hosts_file}: run the sandbox as root") from exc


def _conflicts(paths: Paths, lines: list[str], ours: set[str], mapping: Mapping[str, str]) -> list[str]:
    problems = []
    for number, line in enumerate(lines, 1):
        if line in ours:
            continue
        fields = line.split("#", 1)[0].split()
        for host in fields[1:]:
            if host in mapping and fields[0] != mapping[host]:
                problems.append(
                    f"{paths.system.hosts_file} line {number} maps {host} to {fields[0]} (`{line.strip()}`), "
                    f"so the sandbox's registry at {mapping[host]} would not be reached; remove that line "
                    "(or run `python -m ecr_sandbox down` in the sandbox folder it names)"
                )
    return problems


def set_hosts(paths: Paths, state: State, mapping: Mapping[str, str]) -> None:
    """Make /etc/hosts map each host to its address: this sandbox's previous lines are replaced, every
    other line stays. Refuses (one line per problem) when another line maps one of the hosts elsewhere."""
    wanted = [host_line(paths, host, address) for host, address in sorted(mapping.items())]
    ours = set(state.hosts_lines)
    current = paths.system.hosts_file.read_text().splitlines()
    problems = _conflicts(paths, current, ours, mapping)
    if problems:
        raise SandboxError("\n".join(problems))
    if state.hosts_lines == wanted and [line for line in current if line in ours] == wanted:
        return
    state.hosts_lines = sorted(ours | set(wanted))  # recorded before written: a crash leaves no stray line
    state.save(paths)
    _rewrite(paths, lambda lines: [line for line in lines if line not in ours and line not in wanted] + wanted)
    state.hosts_lines = wanted
    state.save(paths)


def clear_hosts(paths: Paths, state: State) -> int:
    """Remove exactly the lines this sandbox wrote; return how many were there."""
    ours = set(state.hosts_lines)
    removed = 0
    if ours and paths.system.hosts_file.exists():
        def drop(lines: list[str]) -> list[str]:
            nonlocal removed
            kept = [line for line in lines if line not in ours]
            removed = len(lines) - len(kept)
            return kept

        _rewrite(paths, drop)
    state.hosts_lines = []
    state.save(paths)
    return removed


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_sandbox_ca(data: bytes) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        return False
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return cert.subject == cert.issuer and [n.value for n in names] == [CA_NAME]


def trust_ca(paths: Paths, state: State, host: str, ca_cert: bytes) -> None:
    """Let the Docker engine trust the sandbox CA for ``host`` through ``certs.d/HOST/ca.crt``."""
    folder = paths.system.certs_d / host
    target = folder / "ca.crt"
    digest = _sha256(ca_cert)
    try:
        record = state.trust_record(host)
        if record is not None and not record.folder_created and not folder.is_dir():
            state.trust.remove(record)  # the folder we had added to is gone: start over
            record = None
        if record is not None:  # ours already: keep it current
            if record.folder_created and not folder.exists():
                folder.mkdir(parents=True)
            if not target.exists() or target.read_bytes() != ca_cert:
                files.replace(target, ca_cert)
            if record.sha256 != digest:
                record.sha256 = digest
                state.save(paths)
            return
        if not folder.exists() and not folder.is_symlink():
            _record(paths, state, TrustRecord(host, folder_created=True, sha256=digest))
            folder.mkdir(parents=True)
            files.write_new(target, ca_cert)
            return
        if not folder.is_dir():
            raise SandboxError(f"{folder} is not a directory; the sandbox needs it for {host}'s CA: move it aside")
        if not target.exists():
            _record(paths, state, TrustRecord(host, folder_created=False, sha256=digest))
            files.write_new(target, ca_cert)
            return
        current = target.read_bytes()
        if current == ca_cert:
            return  # trusted already by a file the sandbox did not write: left as it is
        if _is_sandbox_ca(current):  # a stale trust left by another ECR sandbox: put back on down
            _record(paths, state, TrustRecord(host, False, digest, previous=current.decode()))
            files.replace(target, ca_cert)
            return
        raise SandboxError(
            f"{target} holds another CA certificate, so Docker would not trust the sandbox's registry {host}; "
            f"move it aside while the sandbox runs (`mv {target} {target}.orig`) and run up again"
        )
    except PermissionError as exc:
        raise SandboxError(f"cannot write {folder}: run the sandbox as root") from exc


def _record(paths: Paths, state: State, record: TrustRecord) -> None:
    state.trust.append(record)
    state.save(paths)


def untrust(paths: Paths, state: State, host: str) -> list[str]:
    """Undo what ``trust_ca`` did for ``host`` (only that); return what was done."""
    record = state.trust_record(host)
    if record is None:
        return []
    folder = paths.system.certs_d / host
    target = folder / "ca.crt"
    done = []
    try:
        present = target.read_bytes()
    except OSError:
        present = None
    if present is not None and _sha256(present) == record.sha256:
        if record.previous is not None:
            files.replace(target, record.previous.encode())
            done.append(f"put back the previous {target}")
        else:
            target.unlink()
            done.append(f"removed {target}")
    elif present is not None:
        done.append(f"left {target}: it changed since the sandbox wrote it")
    if record.folder_created and folder.is_dir():
        try:
            folder.rmdir()
            done = [f"removed {folder}"]
        except OSError:
            done.append(f"left {folder}: it holds files the sandbox did not write")
    state.trust.remove(record)
    state.save(paths)
    return done


def untrust_all(paths: Paths, state: State) -> list[str]:
    """Undo every trust this sandbox recorded; return what was done."""
    done = []
    for record in list(state.trust):
        done += untrust(paths, state, record.host)
    return done
