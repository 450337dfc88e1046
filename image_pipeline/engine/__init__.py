"""The local Docker engine: building an image, reading it back out (``docker save``'s stream) and pulling.
Imports core and oci only; docker-py is imported on first use (it costs a quarter of a second)."""
