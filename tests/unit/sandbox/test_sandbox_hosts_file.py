"""/etc/hosts: a sandbox writes its lines, records them, and ``down`` removes exactly those."""

from __future__ import annotations

import pytest

from ecr_sandbox.control import hosts
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.state import State

from .conftest import USER_HOSTS

HOST_A = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
HOST_B = "222222222222.dkr.ecr.eu-west-1.amazonaws.com"


def test_up_maps_each_registry_host_to_its_address_and_keeps_the_users_lines(make_paths):
    paths = make_paths()

    hosts.set_hosts(paths, State(), {HOST_A: "127.0.0.2"})

    text = paths.system.hosts_file.read_text()
    assert text.startswith(USER_HOSTS)
    assert f"127.0.0.2 {HOST_A} # ecr-sandbox {paths.root}" in text.splitlines()


def test_the_lines_are_recorded_in_the_state_file_as_they_are_written(make_paths):
    paths = make_paths()

    hosts.set_hosts(paths, State(), {HOST_A: "127.0.0.2"})

    assert State.load(paths).hosts_lines == [f"127.0.0.2 {HOST_A} # ecr-sandbox {paths.root}"]


def test_down_of_one_sandbox_leaves_another_sandbox_folders_lines(make_paths):
    first, second = make_paths("first"), make_paths("second")
    first_state, second_state = State(), State()
    hosts.set_hosts(second, second_state, {HOST_B: "127.0.0.3"})
    hosts.set_hosts(first, first_state, {HOST_A: "127.0.0.2"})

    hosts.clear_hosts(first, State.load(first))

    lines = first.system.hosts_file.read_text().splitlines()
    assert f"127.0.0.3 {HOST_B} # ecr-sandbox {second.root}" in lines
    assert not any(HOST_A in line for line in lines)


def test_down_leaves_a_tagged_line_this_sandbox_did_not_write(make_paths):
    paths = make_paths()
    foreign = f"127.0.0.9 {HOST_B} # ecr-sandbox"  # e.g. written by an older sandbox elsewhere
    paths.system.hosts_file.write_text(USER_HOSTS + foreign + "\n")
    hosts.set_hosts(paths, State(), {HOST_A: "127.0.0.2"})

    hosts.clear_hosts(paths, State.load(paths))

    assert paths.system.hosts_file.read_text() == USER_HOSTS + foreign + "\n"


def test_a_changed_address_replaces_the_sandboxs_own_line_only(make_paths):
    paths = make_paths()
    state = State()
    hosts.set_hosts(paths, state, {HOST_A: "127.0.0.2", HOST_B: "127.0.0.3"})

    hosts.set_hosts(paths, state, {HOST_A: "127.0.0.4"})

    ours = [line for line in paths.system.hosts_file.read_text().splitlines() if "ecr-sandbox" in line]
    assert ours == [f"127.0.0.4 {HOST_A} # ecr-sandbox {paths.root}"]


def test_a_line_mapping_a_spec_host_elsewhere_makes_up_refuse_with_one_line_naming_it(make_paths):
    paths = make_paths()
    paths.system.hosts_file.write_text(USER_HOSTS + f"10.0.0.5 {HOST_A}\n")

    with pytest.raises(SandboxError) as caught:
        hosts.set_hosts(paths, State(), {HOST_A: "127.0.0.2"})

    assert str(caught.value) == (
        f"{paths.system.hosts_file} line 3 maps {HOST_A} to 10.0.0.5 (`10.0.0.5 {HOST_A}`), so the sandbox's "
        "registry at 127.0.0.2 would not be reached; remove that line (or run `python -m ecr_sandbox down` in "
        "the sandbox folder it names)"
    )
    assert paths.system.hosts_file.read_text() == USER_HOSTS + f"10.0.0.5 {HOST_A}\n"
