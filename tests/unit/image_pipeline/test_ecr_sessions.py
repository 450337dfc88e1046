"""What every botocore session of a publish shares: the model loader (the same models as botocore's own loader,
botocore's errors for what it cannot find, ``AWS_DATA_PATH`` first as botocore's ``create_loader``; botocore.loaders:
``Loader``, ``create_loader``) and a copy of botocore's built-in event handlers, registered once per process
(botocore.session.Session: ``event_hooks``, ``include_builtin_handlers``)."""
import json

import botocore.exceptions
import botocore.loaders
import pytest

from image_pipeline.ecr.aws import new_session
from image_pipeline.ecr.models import create_loader


@pytest.mark.parametrize("service,type_name", [("ecr", "service-2"), ("ecr", "endpoint-rule-set-1"),
                                               ("ecr", "paginators-1"), ("ecr", "waiters-2"),
                                               ("sts", "service-2"), ("sts", "endpoint-rule-set-1")])
def test_a_model_is_the_one_botocore_loads(service, type_name):
    assert create_loader().load_service_model(service, type_name) == \
        botocore.loaders.Loader().load_service_model(service, type_name)


def test_the_endpoints_file_is_the_one_botocore_loads():
    assert create_loader().load_data("endpoints") == botocore.loaders.Loader().load_data("endpoints")


def test_an_unknown_service_fails_as_botocore_says():
    with pytest.raises(botocore.exceptions.UnknownServiceError, match="Unknown service: 'no-such-service'"):
        create_loader().load_service_model("no-such-service", "service-2")


def test_a_model_type_the_service_lacks_fails_as_botocore_says():
    with pytest.raises(botocore.exceptions.DataNotFoundError):
        create_loader().load_service_model("sts", "waiters-2")


def test_a_model_in_aws_data_path_comes_before_botocore_s(tmp_path):
    own = botocore.loaders.Loader().load_service_model("ecr", "service-2")
    version = own["metadata"]["apiVersion"]
    changed = {**own, "documentation": "a customised ECR model"}
    (tmp_path / "ecr" / version).mkdir(parents=True)
    (tmp_path / "ecr" / version / "service-2.json").write_text(json.dumps(changed))

    loaded = create_loader(str(tmp_path)).load_service_model("ecr", "service-2")

    assert loaded["documentation"] == "a customised ECR model"
    assert loaded == botocore.loaders.create_loader(str(tmp_path)).load_service_model("ecr", "service-2")


def test_a_session_sharing_the_loader_makes_a_working_ecr_client():
    client = new_session().create_client("ecr", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
                                         aws_secret_access_key="secret")

    assert client.meta.endpoint_url == "https://api.ecr.eu-west-1.amazonaws.com"
    assert client.can_paginate("describe_images")


def test_a_session_starts_with_botocore_s_built_in_handlers():
    # botocore.handlers.BUILTIN_HANDLERS: 'choose-service-name' maps the old name 'runtime.sagemaker'
    session = new_session()

    chosen = session.emit_first_non_none_response("choose-service-name", service_name="runtime.sagemaker")

    assert chosen == "sagemaker-runtime"


def test_a_handler_registered_on_one_session_is_not_called_by_another():
    calls = []
    first, second = new_session(), new_session()
    first.register("after-call.ecr.DescribeRepositories", lambda **kwargs: calls.append("first"))

    second.emit("after-call.ecr.DescribeRepositories", http_response=None, parsed={}, model=None, context={})
    assert calls == []
    first.emit("after-call.ecr.DescribeRepositories", http_response=None, parsed={}, model=None, context={})
    assert calls == ["first"]
