"""Checks e2e tests make in the registries themselves, not through moto or our own code."""
from __future__ import annotations


def registry_digest(docker_client, uri: str, tag: str, password: str) -> str | None:
    """What the registry itself (not moto) holds for URI:TAG, asked through the engine; None: no such tag."""
    import docker

    try:
        found = docker_client.api.inspect_distribution(f"{uri}:{tag}",
                                                       auth_config={"username": "AWS", "password": password})
    except docker.errors.NotFound:
        return None
    return str(found["Descriptor"]["digest"])
