"""The registry HTTP API (OCI distribution spec v1.1): the one client, media types and manifests, digests, and
what a failed request means. Imports core only."""
