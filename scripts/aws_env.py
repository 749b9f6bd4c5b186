"""Where the operator's AWS tools say to work: the region as the AWS CLI and SDKs read it."""

from __future__ import annotations

import os


def aws_region(env: dict[str, str] | None = None) -> str | None:
    """``AWS_REGION``, then ``AWS_DEFAULT_REGION``, then the profile's ``region`` (``AWS_PROFILE``
    or the default one), as the AWS CLI v2 and the SDKs resolve it; None when none says one.
    (boto3 alone reads only ``AWS_DEFAULT_REGION`` and the profile.)"""
    env = dict(os.environ) if env is None else env
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(name):
            return env[name]
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.session.Session(profile_name=env.get("AWS_PROFILE") or None).region_name
    except ProfileNotFound:
        return None
