"""Local stack for Interview Nudges: the project's own replacement for ``sam local``.

Serves the template's HTTP API on 127.0.0.1, runs each function as Lambda does (in execution
environments of its own: processes with only the template's variables and the layer's packages)
against an AWS endpoint (an embedded moto server unless ``AWS_ENDPOINT_URL`` is set) and
emulates what moto does not: Scheduler firing, SQS → Lambda and SNS → Lambda, driven by a
virtual clock.
"""

from .stack import DEFAULT_WEBHOOK_SECRETS, LocalStack, webhook_secrets
from .template import DEFAULT_STACK_NAME

__all__ = ["DEFAULT_STACK_NAME", "DEFAULT_WEBHOOK_SECRETS", "LocalStack", "webhook_secrets"]
