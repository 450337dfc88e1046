"""Compressing a layer once, on every core (image_pipeline.transfer.compress). The format is gzip as RFC 1952 defines
it (one member, deflate, CRC-32 and ISIZE trailer), what ``application/vnd.docker.image.rootfs.diff.tar.gzip``
names in the Docker image manifest v2 schema 2 specification."""
import gzip
import hashlib
import io
import random
from concurrent.futures import ThreadPoolExecutor

from image_pipeline.transfer import compress

DATA = random.Random(7).randbytes(3 * compress.PIECE + 12345) + b"repetitive text " * 50000


def chunks(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def squeeze(pieces, threads=2):
    out = io.BytesIO()
    with ThreadPoolExecutor(threads) as pool:
        done = compress.gzip_stream(pieces, out, pool)
    return done, out.getvalue()


def test_the_output_is_one_gzip_member_that_decompresses_to_the_layer():
    _, data = squeeze(chunks(DATA, 65536))

    assert gzip.decompress(data) == DATA
    assert data[:3] == b"\x1f\x8b\x08" and data.count(b"\x1f\x8b\x08\x00") >= 1


def test_the_same_layer_gives_the_same_bytes_whatever_the_threads_and_the_read_sizes():
    one, first = squeeze(chunks(DATA, 65536), threads=1)
    two, second = squeeze(chunks(DATA, 999_983), threads=4)

    assert first == second and one == two


def test_the_digests_name_the_compressed_bytes_and_the_uncompressed_tar():
    done, data = squeeze(chunks(DATA, 65536))

    assert done.digest == "sha256:" + hashlib.sha256(data).hexdigest() and done.size == len(data)
    assert done.diff_id == "sha256:" + hashlib.sha256(DATA).hexdigest() and done.uncompressed_size == len(DATA)


def test_an_empty_layer_is_a_valid_empty_gzip():
    done, data = squeeze([])

    assert gzip.decompress(data) == b"" and done.diff_id == "sha256:" + hashlib.sha256(b"").hexdigest()


def test_compressible_layers_get_smaller():
    text = b"the same line again\n" * 200000

    done, _ = squeeze(chunks(text, 65536))

    assert done.size < len(text) // 20


def test_already_compressed_data_is_stored_not_deflated_again():
    noise = random.Random(9).randbytes(4 * compress.PIECE)

    done, data = squeeze(chunks(noise, 65536))

    assert gzip.decompress(data) == noise
    assert len(noise) < done.size < len(noise) * 1.001  # stored blocks: 5 bytes of framing per 64 KiB
    assert compress.incompressible(noise[:compress.PIECE])
    assert not compress.incompressible(b"the same line again\n" * 60000)
