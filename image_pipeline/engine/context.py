"""The build context as the engine receives it: a tar of the context directory (``.dockerignore`` honoured,
the Dockerfile included even from outside the context), streamed through a pipe while it is being written,
so the engine reads the first bytes while the last files are still being read here.

docker-py's own ``build(path=...)`` writes the whole tar to a temporary file before sending it (measured here:
0.2 to 0.4 s more than the docker CLI for a 150 MB context); this uses the same file list and tar layout
(``docker.utils.build.tar``), only through a pipe."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, BinaryIO


class _PipeWriter:
    """The write end of a pipe as the file ``tarfile`` writes to (it asks where it is; it rewinds at the end)."""

    def __init__(self, fd: int) -> None:
        self._out: BinaryIO = os.fdopen(fd, "wb", buffering=1024 * 1024)
        self._written = 0

    def write(self, data: bytes) -> int:
        self._out.write(data)
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._written  # the tar is done; nothing to rewind on a pipe

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        self._out.close()


class ContextStream:
    """``fileobj`` for ``api.build(custom_context=True)`` and the ``dockerfile`` name to pass with it."""

    def __init__(self, context: Path, dockerfile: str | None) -> None:
        from docker.api.build import process_dockerfile  # docker-py is slow to import: only when building
        from docker.utils.build import tar
        ignore = context / ".dockerignore"
        exclude = [line.strip() for line in ignore.read_text(encoding="utf-8").splitlines()
                   if line.strip() and not line.startswith("#")] if ignore.exists() else []
        processed = process_dockerfile(dockerfile, str(context))
        self.dockerfile: str | None = processed[0]
        read, write = os.pipe()
        self.fileobj: BinaryIO = os.fdopen(read, "rb", buffering=1024 * 1024)
        self.error: BaseException | None = None
        writer = _PipeWriter(write)

        def produce() -> None:
            try:
                tar(str(context), exclude=exclude, dockerfile=processed, fileobj=writer)
            except BaseException as error:  # noqa: BLE001 - reported by the build's failure, and here
                self.error = error
            finally:
                try:
                    writer.close()
                except OSError:
                    pass  # the engine stopped reading (the build failed or was interrupted)

        self._thread = threading.Thread(target=produce, name="build-context", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.fileobj.close()

    def options(self) -> dict[str, Any]:
        return {"fileobj": self.fileobj, "custom_context": True, "dockerfile": self.dockerfile}
