"""Bytes the client uploaded per destination (image_pipeline.uploads): compressed sizes from the manifest of the
layers the engine or the copy pushed. The engine names a layer by its truncated DiffID (moby
distribution/push_v2.go, pushDescriptor.ID) and reports uncompressed progress; the copy names a blob by digest."""
from __future__ import annotations

from image_pipeline.stream import LayerEvent
from image_pipeline.uploads import UploadTally, layer_sizes, uploaded_bytes_of

MANIFEST = {"config": {"digest": "sha256:" + "c" * 64, "size": 1500},
            "layers": [{"digest": "sha256:" + "1" * 64, "size": 700}, {"digest": "sha256:" + "2" * 64, "size": 300}]}
DIFF_IDS = ["sha256:" + "a" * 64, "sha256:" + "b" * 64]


def test_an_engine_push_counts_the_compressed_size_of_each_pushed_layer_not_its_uncompressed_progress() -> None:
    tally = UploadTally()
    for event in [LayerEvent("a" * 12, "Pushing", 900, 2000), LayerEvent("a" * 12, "Pushed"),
                  LayerEvent("b" * 12, "Layer already exists")]:
        tally.observe("dev/us-east-1", event)
    assert tally.uploaded_bytes("dev/us-east-1", layer_sizes(MANIFEST, DIFF_IDS)) == 700


def test_a_blob_copy_counts_its_blobs_by_digest() -> None:
    tally = UploadTally()
    seen: list[LayerEvent] = []
    on_layer = tally.wrap("prod/us-east-1", seen.append)
    for event in [LayerEvent("1" * 12, "Copying", 350, 700), LayerEvent("1" * 12, "Pushed", 700, 700),
                  LayerEvent("2" * 12, "Pushed", 300, 300)]:
        on_layer(event)
    assert tally.uploaded_bytes("prod/us-east-1", layer_sizes(MANIFEST)) == 1000 and len(seen) == 3


def test_a_destination_that_got_nothing_from_the_client_counts_zero_without_reading_the_manifest() -> None:
    tally = UploadTally()
    tally.observe("prod/eu-west-1", LayerEvent("a" * 12, "Layer already exists"))

    def never() -> dict[str, object]:
        raise AssertionError("manifest read")
    assert uploaded_bytes_of(tally, "prod/eu-west-1", never, DIFF_IDS) == 0
    assert uploaded_bytes_of(tally, "replica/none", never, DIFF_IDS) == 0


def test_a_pushed_layer_the_manifest_does_not_name_counts_the_total_its_events_reported() -> None:
    tally = UploadTally()
    tally.observe("dev/us-east-1", LayerEvent("f" * 12, "Pushing", 10, 4096))
    tally.observe("dev/us-east-1", LayerEvent("f" * 12, "Pushed"))
    assert uploaded_bytes_of(tally, "dev/us-east-1", lambda: MANIFEST, DIFF_IDS) == 4096
