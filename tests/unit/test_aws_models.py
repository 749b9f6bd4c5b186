"""The service models the layer ships for the Lambda runtime's older botocore (scripts/aws_models.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_models_are_the_dev_botocores():
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "aws_models.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_lambda_interpreter_builds_the_client_only_with_the_layer(tmp_path):
    from local_stack.runtime import lambda_python

    code = (
        "import sys\n"
        "from nudges.adapters.aws import client\n"
        "from nudges.adapters.whatsapp import WhatsAppSender\n"
        "c = client('socialmessaging')\n"
        "print(c.meta.service_model.api_version, c.meta.endpoint_url)\n"
        # The runtime's botocore names the method send_whats_app_message: the adapter finds it,
        # and its request fits the model (the stubber checks it).
        "from botocore.stub import Stubber\n"
        "with Stubber(c) as stub:\n"
        "    stub.add_response(__import__('botocore').xform_name('SendWhatsAppMessage'), {'messageId': 'm-1'})\n"
        "    print(WhatsAppSender(c, 'phone-number-id-1').send_text('+447700900001', 'hi'))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL_SOCIALMESSAGING": "http://127.0.0.1:9/_aws/social-messaging",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_MAX_ATTEMPTS": "1",
        "PYTHONPATH": str(ROOT / "layers" / "nudges"),
    }
    run = subprocess.run([str(lambda_python()), "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2024-01-01", "http://127.0.0.1:9/_aws/social-messaging", "m-1"]
    # The runtime's own botocore has no such service: without the layer's models it fails.
    bare = "import boto3; boto3.client('socialmessaging')"
    run = subprocess.run([str(lambda_python()), "-I", "-c", bare], capture_output=True, text=True, env=env)
    assert run.returncode != 0 and "UnknownServiceError" in run.stderr
