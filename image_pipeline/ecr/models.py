"""botocore's model loader, made cheaper at start-up (each process loads the ECR and STS models once).

Two costs of botocore's own ``Loader`` that every command paid before its first AWS call:

- its JSON files are parsed into ``OrderedDict`` (twice the time of plain dicts, which keep insertion order too;
  botocore builds its own ordered shapes from them), ``endpoints.json`` (1.2 MB) the largest;
- ``load_service_model`` first lists every service it knows (about 450 directories, a few stat calls each) only to
  check that the one asked for is among them.

``ModelLoader`` reads plain dicts and, when the service's directory has the model asked for, goes straight to
its newest API version (botocore's ``determine_latest_version``); anything else (an unknown service, a missing
model, an API version asked for) takes botocore's own path, so its errors are botocore's. The models loaded are
equal to botocore's (a test compares them). Together: about a tenth of an unchanged republish."""
from __future__ import annotations

import json
import os
from typing import Any, Callable

import botocore.exceptions
import botocore.loaders


class PlainJsonFiles(botocore.loaders.JSONFileLoader):
    """botocore's JSON file loader (``.json``, then ``.json.gz``), into plain dicts."""

    def _load_file(self, full_path: str, open_method: Callable[..., Any]) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as stream:
            return json.loads(stream.read().decode("utf-8"))


class ModelLoader(botocore.loaders.Loader):
    """A ``Loader`` over ``PlainJsonFiles`` that loads a known service's model without listing every service."""

    FILE_LOADER_CLASS = PlainJsonFiles

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        if api_version is not None or not hasattr(self, "_find_extras") or not hasattr(self, "_extras_processor"):
            return super().load_service_model(service_name, type_name, api_version)
        try:
            version = self.determine_latest_version(service_name, type_name)
        except botocore.exceptions.DataNotFoundError:  # botocore's error for it: unknown service, or no such model
            return super().load_service_model(service_name, type_name, api_version)
        model = self.load_data(os.path.join(service_name, version, type_name))
        self._extras_processor.process(model, self._find_extras(service_name, type_name, version))
        return model


def create_loader(search_path_string: str | None = None) -> ModelLoader:
    """botocore's ``create_loader``: its search paths (``~/.aws/models``, its own data), after the directories of
    ``search_path_string`` (``AWS_DATA_PATH``: separated by ``os.pathsep``, ``~`` and variables expanded)."""
    if not search_path_string:
        return ModelLoader()
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in search_path_string.split(os.pathsep)]
    return ModelLoader(extra_search_paths=paths)
