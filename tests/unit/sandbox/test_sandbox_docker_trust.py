"""/etc/docker/certs.d: ``up`` adds the sandbox CA, ``down`` removes exactly what ``up`` added; a folder that
existed before (with the user's client.key) is never taken over or deleted."""

from __future__ import annotations

import pytest

from ecr_sandbox.control import certs, hosts
from ecr_sandbox.control.errors import SandboxError
from ecr_sandbox.control.state import State

HOST = "111111111111.dkr.ecr.us-east-1.amazonaws.com"
USER_KEY = b"-----BEGIN PRIVATE KEY-----\nthe user's own client key\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def ca(make_paths) -> bytes:  # type: ignore[no-untyped-def]
    cert, _ = certs.ensure_ca(make_paths().pki_dir)
    return cert.read_bytes()


@pytest.fixture
def users_folder(system):  # type: ignore[no-untyped-def]
    folder = system.certs_d / HOST
    folder.mkdir(parents=True)
    (folder / "client.key").write_bytes(USER_KEY)
    return folder


def test_up_creates_the_host_folder_with_the_ca_and_down_removes_the_folder(make_paths, ca):
    paths = make_paths()
    hosts.trust_ca(paths, State(), HOST, ca)
    assert (paths.system.certs_d / HOST / "ca.crt").read_bytes() == ca

    done = hosts.untrust_all(paths, State.load(paths))

    assert not (paths.system.certs_d / HOST).exists()
    assert done == [f"removed {paths.system.certs_d / HOST}"]


def test_a_folder_that_existed_gets_only_the_ca_and_keeps_the_users_client_key_through_down(
        make_paths, ca, users_folder):
    paths = make_paths()
    hosts.trust_ca(paths, State(), HOST, ca)
    assert sorted(p.name for p in users_folder.iterdir()) == ["ca.crt", "client.key"]

    done = hosts.untrust_all(paths, State.load(paths))

    assert sorted(p.name for p in users_folder.iterdir()) == ["client.key"]
    assert (users_folder / "client.key").read_bytes() == USER_KEY
    assert done == [f"removed {users_folder / 'ca.crt'}"]


def test_a_different_ca_of_the_users_makes_up_refuse_with_one_line_saying_how_to_fix_it(
        make_paths, ca, users_folder):
    paths = make_paths()
    (users_folder / "ca.crt").write_bytes(b"their corporate CA\n")

    with pytest.raises(SandboxError) as caught:
        hosts.trust_ca(paths, State(), HOST, ca)

    target = users_folder / "ca.crt"
    assert str(caught.value) == (
        f"{target} holds another CA certificate, so Docker would not trust the sandbox's registry {HOST}; "
        f"move it aside while the sandbox runs (`mv {target} {target}.orig`) and run up again"
    )
    assert target.read_bytes() == b"their corporate CA\n"


def test_another_sandboxs_stale_ca_is_replaced_and_put_back_on_down(make_paths, ca, users_folder):
    paths = make_paths()
    stale = certs.ensure_ca(make_paths("older-sandbox").pki_dir)[0].read_bytes()
    (users_folder / "ca.crt").write_bytes(stale)
    hosts.trust_ca(paths, State(), HOST, ca)
    assert (users_folder / "ca.crt").read_bytes() == ca

    hosts.untrust_all(paths, State.load(paths))

    assert (users_folder / "ca.crt").read_bytes() == stale


def test_a_file_added_to_the_sandboxs_folder_while_it_ran_keeps_the_folder(make_paths, ca):
    paths = make_paths()
    hosts.trust_ca(paths, State(), HOST, ca)
    (paths.system.certs_d / HOST / "client.cert").write_text("added later")

    done = hosts.untrust_all(paths, State.load(paths))

    assert sorted(p.name for p in (paths.system.certs_d / HOST).iterdir()) == ["client.cert"]
    assert done[-1] == f"left {paths.system.certs_d / HOST}: it holds files the sandbox did not write"


def test_down_of_a_sandbox_that_never_wrote_there_leaves_other_sandboxes_folders(make_paths, ca):
    first, second = make_paths("first"), make_paths("second")
    hosts.trust_ca(first, State(), HOST, ca)

    assert hosts.untrust_all(second, State.load(second)) == []
    assert (first.system.certs_d / HOST / "ca.crt").read_bytes() == ca
