"""Starting, reusing, describing and stopping the sandbox: what ``up``, ``status`` and ``down`` do, as plain
functions (``ecr_sandbox.api`` is their public face; ``ecr_sandbox.control.cli`` their command line).

``ensure_up`` reads the spec (``plan``), assigns each registry its loopback address, writes host names and trust
(``hosts``, ``certs``), starts moto, the gateway and one registry per (account, region) by ``python -m`` / their
program (``moto_process``, ``gateway_process``, ``registry_process``), waits until each answers, and writes the
environment (``envfile``). ``down`` undoes exactly that. Every failure raises ``SandboxError`` (one line that says
how to fix it).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ecr_sandbox.control import (certs, dockerd, envfile, files, gateway_process, hosts, install, moto_process,
                                 processes, registry_process)
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.plan import Plan, load_plan
from ecr_sandbox.model.names import registry_host
from ecr_sandbox.control.state import FIRST_REGISTRY_OCTET, Paths, RegistryRecord, State, exclusive

START_TIMEOUT = 60.0


@dataclass(frozen=True)
class RegistryInfo:
    account: str
    region: str
    host: str
    address: str


@dataclass(frozen=True)
class SandboxInfo:
    endpoint_url: str
    env: dict[str, str]
    unset: tuple[str, ...]
    accounts: tuple[str, ...]
    registries: tuple[RegistryInfo, ...]
    targets: tuple[tuple[str, str], ...]  # (environment account, region) pairs to bootstrap
    base_image: str
    default_region: str
    sandbox_dir: Path
    cold_start: bool = field(default=False, compare=False)
    organization: tuple[str, tuple[str, ...]] = ("", ())  # the sandbox's AWS Organization: (id, member accounts)

    def registry(self, account: str, region: str) -> RegistryInfo:
        for reg in self.registries:
            if (reg.account, reg.region) == (account, region):
                return reg
        raise SandboxError(f"the sandbox has no registry for account {account} in {region}")

    @staticmethod
    def profile(account: str) -> str:
        return envfile.profile_name(account)


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    where: str
    pid: int | None
    up: bool


def _registry_ready(paths: Paths, record: RegistryRecord) -> bool:
    """The registry answers behind its TLS front, and the front (in the gateway) answers on 443."""
    return (processes.port_answers(record.address, registry_process.BACKEND_PORT)
            and processes.tls_answers(record.address, record.host, str(paths.pki_dir / "ca.crt")))


def _assign_addresses(plan: Plan, previous: list[RegistryRecord]) -> list[RegistryRecord]:
    """Keep each registry's previous address; give new ones the lowest free 127.0.0.N."""
    by_host = {r.host: r.address for r in previous}
    used: set[str] = set()
    records = []
    for account, region in plan.registries:
        host = registry_host(account, region)
        address = by_host.get(host)
        if address in used:
            address = None
        if address is None:
            octet = FIRST_REGISTRY_OCTET
            while f"127.0.0.{octet}" in used or f"127.0.0.{octet}" in by_host.values():
                octet += 1
            address = f"127.0.0.{octet}"
        used.add(address)
        records.append(RegistryRecord(account, region, host, address))
    return records


def _require_root() -> None:
    if os.geteuid() != 0:
        raise SandboxError(
            "the sandbox must run as root (it listens on port 443, writes /etc/hosts and "
            "/etc/docker/certs.d); run it with sudo"
        )


def _preflight(paths: Paths, moto_port: int, gateway_port: int, records: list[RegistryRecord]) -> None:
    """Before touching anything: every address a component still has to take must be free."""
    if moto_process.running(paths) is None:
        processes.require_free("127.0.0.1", moto_port, "moto")
    gateway_down = gateway_process.running(paths) is None
    if gateway_down:
        processes.require_free("127.0.0.1", gateway_port, "the sandbox gateway")
    for record in records:
        if registry_process.running(paths, record) is None:
            processes.require_free(record.address, registry_process.BACKEND_PORT, f"the registry {record.host}")
        if gateway_down:
            processes.require_free(record.address, 443, f"the TLS front of {record.host}")


def ensure_up(spec_path: str | None = None, cdk_json: str | Path = "cdk.json", paths: Paths | None = None,
              *, moto_port: int | None = None, gateway_port: int | None = None) -> SandboxInfo:
    """Start whatever is not running yet for the spec; return how to reach it. Idempotent. The ports default
    to ``$SANDBOX_MOTO_PORT`` / ``$SANDBOX_GATEWAY_PORT``, else the ones the running sandbox uses."""
    paths = paths or Paths.default()
    plan = load_plan(spec_path, cdk_json)
    install.ensure_packages(paths.log_file("apt"))  # first: names what is missing, root or not
    _require_root()
    with exclusive(paths.root / "lock"):  # one up/down at a time: parallel test sessions share one sandbox
        state = _plan_state(paths, plan, moto_port, gateway_port)
        cold = _start_components(paths, state)
        _wait_ready(paths, state)
        endpoint = f"http://localhost:{state.moto_port}"
        if cold:
            moto_process.warm(endpoint, *plan.registries[0])
        base_image = dockerd.ensure_base_image()
        envfile.write_aws_files(paths, plan.accounts, plan.default_region, state.moto_session)
        env = envfile.environment(paths, state.moto_port, plan.default_region)
        envfile.write_env_file(paths, env)
    return SandboxInfo(
        endpoint_url=endpoint,
        env=env,
        unset=envfile.UNSET,
        accounts=plan.accounts,
        registries=tuple(RegistryInfo(r.account, r.region, r.host, r.address) for r in state.registries),
        targets=plan.targets,
        base_image=base_image,
        default_region=plan.default_region,
        sandbox_dir=paths.root,
        cold_start=cold,
        organization=plan.organization,
    )


def _plan_state(paths: Paths, plan: Plan, moto_port: int | None = None, gateway_port: int | None = None) -> State:
    """The state this plan needs: ports, addresses; stops what moved or left; checks addresses are free."""
    state = State.load(paths)
    moto_port = moto_port or int(os.environ.get("SANDBOX_MOTO_PORT") or state.moto_port)
    gateway_port = gateway_port or int(os.environ.get("SANDBOX_GATEWAY_PORT") or state.gateway_port)
    if moto_port != state.moto_port:
        moto_process.stop(paths)
    if gateway_port != state.gateway_port:
        gateway_process.stop(paths)
    records = _assign_addresses(plan, state.registries)
    wanted_hosts = {r.host for r in records}
    unwanted = [old.host for old in state.registries if old.host not in wanted_hosts]
    registry_process.stop_all(paths, unwanted)
    for host in unwanted:
        hosts.untrust(paths, state, host)
    _preflight(paths, moto_port, gateway_port, records)
    state.moto_port, state.gateway_port = moto_port, gateway_port
    state.accounts, state.registries = list(plan.accounts), records
    state.organization_id, state.organization_accounts = plan.organization[0], list(plan.organization[1])
    state.save(paths)
    return state


def _start_components(paths: Paths, state: State) -> bool:
    """Trust, host names, then every process that does not run yet; True if anything was started."""
    ca_cert, _ = certs.ensure_ca(paths.pki_dir)
    signer = certs.ensure_token_signer(paths.pki_dir)
    hosts.set_hosts(paths, state, {r.host: r.address for r in state.registries})
    for record in state.registries:
        hosts.trust_ca(paths, state, record.host, ca_cert.read_bytes())

    cold = moto_process.ensure_running(paths, state.moto_port)
    if cold or not state.moto_session:
        state.moto_session = secrets.token_hex(4)
    with files.private_umask():  # its config may hold secrets: 0600 from creation
        gateway_process.write_config(paths, state, signer)
    cold |= gateway_process.ensure_running(paths, state.gateway_port)
    for record in state.registries:
        tls = certs.ensure_host_cert(paths.pki_dir, record.host)
        with files.private_umask():  # the registry's http secret and the config holding it: 0600 from creation
            config, changed = registry_process.write_config(paths, record, state.gateway_port, ca_cert, tls)
        if registry_process.running(paths, record) is not None and changed:
            registry_process.stop(paths, record.host)
        if registry_process.running(paths, record) is None:
            registry_process.start(paths, record, config)
            cold = True
    state.started_dockerd = dockerd.ensure_engine(paths) or (
        state.started_dockerd and dockerd.running(paths) is not None
    )
    state.save(paths)
    return cold


def _wait_ready(paths: Paths, state: State) -> None:
    """Wait until every process answers; fail at once, naming its log, if one exits instead."""
    processes.wait_until(
        lambda: moto_process.ready(state.moto_port), "moto", START_TIMEOUT, paths.log_file(moto_process.NAME),
        alive=lambda: moto_process.running(paths) is not None,
    )
    processes.wait_until(
        lambda: gateway_process.ready(state.gateway_port), "the gateway", START_TIMEOUT,
        paths.log_file(gateway_process.NAME), alive=lambda: gateway_process.running(paths) is not None,
    )
    for record in state.registries:
        processes.wait_until(
            lambda r=record: _registry_ready(paths, r), f"the registry {record.host}", START_TIMEOUT,
            paths.log_file(registry_process.process_name(record.host)),
            alive=lambda r=record: registry_process.running(paths, r) is not None,
        )


def apply_env(info: SandboxInfo) -> None:
    """Point this process's environment at the sandbox."""
    for key in info.unset:
        os.environ.pop(key, None)
    os.environ.update(info.env)


def process_env(info: SandboxInfo, root: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment for a child process (the CDK CLI, ``image-pipeline``, ``aws``, ``docker``)
    that must talk to the sandbox: ``base`` (default ``os.environ``) without the variables that would
    override the sandbox's profiles, plus the sandbox's variables, with the project's ``.venv/bin`` and
    ``node_modules/.bin`` first on ``PATH``. The same mapping ``.sandbox/env`` gives a shell, as data."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in info.unset}
    env.update(info.env)
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    tools = [str(root / ".venv" / "bin"), str(root / "node_modules" / ".bin")]
    env["PATH"] = os.pathsep.join([*tools, *(p for p in env.get("PATH", os.defpath).split(os.pathsep)
                                             if p and p not in tools)])
    return env


def env(paths: Paths | None = None) -> dict[str, str]:
    """The variables of ``.sandbox/env`` for a sandbox that runs (raises if it does not)."""
    paths = paths or Paths.default()
    state = State.load(paths)
    if not paths.state_file.exists() or not moto_process.ready(state.moto_port):
        raise SandboxError("the sandbox is not running; start it with `make sandbox-up`")
    region = state.registries[0].region if state.registries else "us-east-1"
    if paths.aws_dir.joinpath("config").exists():
        for line in paths.aws_dir.joinpath("config").read_text().splitlines():
            if line.startswith("region = "):
                region = line.split("=", 1)[1].strip()
                break
    return envfile.environment(paths, state.moto_port, region)


def status(paths: Paths | None = None) -> list[ComponentStatus]:
    paths = paths or Paths.default()
    state = State.load(paths)
    rows = []
    pid = moto_process.running(paths)
    rows.append(ComponentStatus("moto", f"http://localhost:{state.moto_port}", pid,
                                pid is not None and moto_process.ready(state.moto_port)))
    pid = gateway_process.running(paths)
    rows.append(ComponentStatus("gateway (tokens, push bridge)", f"http://127.0.0.1:{state.gateway_port}", pid,
                                pid is not None and gateway_process.ready(state.gateway_port)))
    pid = dockerd.running(paths)
    owner = "started by the sandbox" if pid else "not started by the sandbox"
    rows.append(ComponentStatus(f"dockerd ({owner})", dockerd.DOCKER_HOST, pid, dockerd.answers()))
    for record in state.registries:
        pid = registry_process.running(paths, record)
        rows.append(ComponentStatus(f"registry {record.host}", f"https://{record.address}:443", pid,
                                    pid is not None and _registry_ready(paths, record)))
    return rows


def down(paths: Paths | None = None) -> list[str]:
    """Stop what the sandbox started (also after a crash) and remove its traces; return what was done."""
    paths = paths or Paths.default()
    with exclusive(paths.root / "lock"):  # one up/down at a time: parallel test sessions share one sandbox
        return _down(paths)


def _down(paths: Paths) -> list[str]:
    state = State.load(paths)
    done = []
    hosts_known = {r.host for r in state.registries}
    run_dir = paths.root / "run"
    if run_dir.is_dir():
        hosts_known |= {p.stem[len("registry-"):] for p in run_dir.glob("registry-*.pid")}
    done += [f"stopped registry {host}" for host in sorted(registry_process.stop_all(paths, sorted(hosts_known)))]
    if gateway_process.stop(paths):
        done.append("stopped the gateway")
    if moto_process.stop(paths):
        done.append("stopped moto")
    for pid in processes.orphans(paths, (moto_process.MARKER, gateway_process.MARKER, registry_process.PROGRAM)):
        done.append(f"stopped leftover process {pid} (no pid file)")
    if dockerd.running(paths) is not None and dockerd.stop(paths):
        done.append("stopped dockerd")
    if hosts.clear_hosts(paths, state):
        done.append(f"removed this sandbox's lines from {paths.system.hosts_file}")
    done += hosts.untrust_all(paths, state)
    shutil.rmtree(paths.root / "registries", ignore_errors=True)
    for path in (paths.env_file, paths.state_file, paths.gateway_config, paths.root / "secret"):
        path.unlink(missing_ok=True)
    if not done:
        done.append("nothing was running")
    return done

