"""Clients are built once, on the first call that needs them, from one shared session."""

from __future__ import annotations

import pytest

from nudges.adapters import aws


@pytest.fixture
def built(monkeypatch):
    """The services the shared session builds clients for, in order, from a clean cache."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws.client.cache_clear()
    session = aws.session()
    names: list[str] = []
    original = session.client

    def recording(service_name, *args, **kwargs):
        names.append(service_name)
        return original(service_name, *args, **kwargs)

    monkeypatch.setattr(session, "client", recording)
    yield names
    aws.client.cache_clear()


def test_a_lazy_client_is_built_on_first_use_and_shared(built):
    sqs = aws.LazyClient("sqs")
    assert built == []  # wiring an adapter builds nothing
    assert sqs.meta.service_model.service_name == "sqs"
    assert sqs.exceptions.QueueDoesNotExist is aws.client("sqs").exceptions.QueueDoesNotExist
    aws.LazyClient("sqs").meta  # noqa: B018 - another adapter's handle on the same client
    assert built == ["sqs"]


def test_every_client_comes_from_the_one_session(built):
    dynamodb, scheduler = aws.client("dynamodb"), aws.client("scheduler")
    assert aws.client("dynamodb") is dynamodb
    assert built == ["dynamodb", "scheduler"]
    # One botocore session, so one loader: endpoint and partition data are parsed once.
    assert dynamodb._loader is scheduler._loader
