"""lifecycle-preview's local path sees what ECR's evaluator sees: archived images (DescribeImages returns only
ACTIVE ones unless asked for imageStatus ANY: ECR API reference, DescribeImagesFilter) and the manifests a
manifest list references (ECR user guide, "Lifecycle policy evaluation rules": such images are not expired
while the list stays)."""
import json
from datetime import timedelta

from .test_pipeline_preview import NOW, PreviewECR, run

INDEX = "sha256:" + "a" * 64
CHILD = "sha256:" + "b" * 64


class IndexECR(PreviewECR):
    def __init__(self) -> None:
        super().__init__(preview_works=False)
        self.filters = []
        self.details = [
            {"imageDigest": INDEX, "imageTags": ["v1"], "imagePushedAt": NOW - timedelta(days=20),
             "imageManifestMediaType": "application/vnd.oci.image.index.v1+json"},
            {"imageDigest": CHILD, "imagePushedAt": NOW - timedelta(days=20),
             "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"},
            {"imageDigest": "sha256:" + "c" * 64, "imageTags": ["v0"], "imagePushedAt": NOW - timedelta(days=400),
             "imageStatus": "ARCHIVED", "lastArchivedAt": NOW - timedelta(days=300)}]

    def get_paginator(self, name):
        owner = self

        class Pages:
            def paginate(self, repositoryName, **kwargs):
                owner.filters.append(kwargs.get("filter"))
                return [{"imageDetails": owner.details}]
        return Pages()

    def batch_get_image(self, repositoryName, imageIds, acceptedMediaTypes=None):
        assert imageIds == [{"imageDigest": INDEX}]
        manifest = {"schemaVersion": 2, "manifests": [{"digest": CHILD, "platform": {"architecture": "amd64"}}]}
        return {"images": [{"imageId": {"imageDigest": INDEX}, "imageManifest": json.dumps(manifest)}]}


def test_the_local_preview_asks_for_archived_images_too() -> None:
    ecr = IndexECR()
    run(ecr)
    assert ecr.filters == [{"imageStatus": "ANY"}]


def test_an_untagged_manifest_of_a_tagged_index_is_kept_by_the_local_preview() -> None:
    rows = {r.digest: (r.action, r.rule_priority) for r in run(IndexECR()).rows}
    assert rows[CHILD] == ("keep", 1)  # identified by the untagged rule, held by its manifest list
