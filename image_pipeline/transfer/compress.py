"""Compressing a layer once, on every core, with the same bytes every time.

A layer tar becomes one gzip member (RFC 1952), the media type ECR and every client read
(``application/vnd.docker.image.rootfs.diff.tar.gzip``). The way pigz does it: the input is cut into
``PIECE``-sized pieces, each piece is deflated on its own thread (zlib releases the GIL) with the previous
piece's last 32 KiB as its dictionary, and every piece but the last ends with a sync flush, so the pieces
joined are one valid deflate stream. The crc32 and the length are computed over the input as it streams.

A piece whose samples (three of ``SAMPLE`` bytes: start, middle, end) do not shrink at level 1 is
already compressed data (archives, media, encrypted or random bytes): it is stored (deflate level 0),
which costs a copy instead of a full deflate that would gain nothing.

The output depends only on the input, ``PIECE``, ``LEVEL`` and the zlib version: never on the number of
threads or the timing, so publishing the same image again (to a destination added later) gives the same
layer digests. The gzip header has no file name and mtime 0.
"""
from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable

PIECE = 1024 * 1024
LEVEL = 6  # zlib's default, as Go's gzip.DefaultCompression the engine pushes with
WINDOW = 32 * 1024
SAMPLE = 8 * 1024
INCOMPRESSIBLE = 0.97  # a sample compressed to more than this fraction of its size does not shrink
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no flags, mtime 0, no XFL, OS unknown


@dataclass(frozen=True)
class Compressed:
    """One layer as it goes over the wire: ``digest``/``size`` of the gzip bytes, ``diff_id`` of the tar."""

    digest: str
    size: int
    diff_id: str
    uncompressed_size: int


def incompressible(piece: bytes) -> bool:
    if len(piece) < 8 * SAMPLE:
        return False
    for start in (0, (len(piece) - SAMPLE) // 2, len(piece) - SAMPLE):
        sample = piece[start:start + SAMPLE]
        if len(zlib.compress(sample, 1)) < INCOMPRESSIBLE * len(sample):
            return False
    return True


def _deflate(piece: bytes, dictionary: bytes, last: bool) -> bytes:
    level = 0 if incompressible(piece) else LEVEL
    engine = (zlib.compressobj(level, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, dictionary) if dictionary
              else zlib.compressobj(level, zlib.DEFLATED, -15, 9))
    return engine.compress(piece) + engine.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def gzip_stream(pieces: Iterable[bytes], out: BinaryIO, pool: ThreadPoolExecutor,
                check: Callable[[], None] = lambda: None) -> Compressed:
    """Compresses the concatenation of ``pieces`` (any sizes) into ``out``; at most ``2 x workers`` pieces
    are in flight, so memory stays bounded whatever the layer's size. ``check`` runs before each piece
    (the deadline)."""
    crc, length = 0, 0
    tar_hash, gz_hash = hashlib.sha256(), hashlib.sha256()
    written = 0
    in_flight: deque[Future[bytes]] = deque()
    limit = 2 * workers()

    def emit(data: bytes) -> None:
        nonlocal written
        out.write(data)
        gz_hash.update(data)
        written += len(data)

    def drain(keep: int) -> None:
        while len(in_flight) > keep:
            emit(in_flight.popleft().result())

    emit(HEADER)
    buffer, previous = bytearray(), b""
    for chunk in pieces:
        check()
        buffer += chunk
        while len(buffer) > PIECE:  # keep one piece back: only the very last one finishes the stream
            piece = bytes(buffer[:PIECE])
            del buffer[:PIECE]
            crc, length = zlib.crc32(piece, crc), length + len(piece)
            tar_hash.update(piece)
            in_flight.append(pool.submit(_deflate, piece, previous[-WINDOW:], False))
            previous = piece
            drain(limit)
    piece = bytes(buffer)
    crc, length = zlib.crc32(piece, crc), length + len(piece)
    tar_hash.update(piece)
    in_flight.append(pool.submit(_deflate, piece, previous[-WINDOW:], True))
    drain(0)
    emit(struct.pack("<II", crc & 0xFFFFFFFF, length & 0xFFFFFFFF))
    return Compressed("sha256:" + gz_hash.hexdigest(), written, "sha256:" + tar_hash.hexdigest(), length)
