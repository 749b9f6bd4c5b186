"""The local stack: provisions the template's resources and runs its functions as Lambda would.

Each function runs in execution environments of its own (``runtime``: processes started on
first use, with only the template's variables and the layer's packages).

All service state lives in the AWS endpoint (an embedded moto server unless
``AWS_ENDPOINT_URL`` says otherwise); this process only keeps the local controls' state
(the virtual clock, retry counts, the last firing of recurring schedules).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from . import embedded_moto, eum_sms, eum_social, ses_events, topics
from .apigw import Route, make_route
from .authorizer import AuthorizingProxy, Credentials, new_stack_secret, role_credentials
from .aws_api import EndpointStore
from .aws_requests import Lookups
from .clock import VirtualClock
from .controls import StackControls
from .docs import Docs
from .layer_imports import RUNNING, LayerImports
from .provision import Aws, Provisioner
from .queues import EventSource, QueueDrainer
from .roles import roles as template_roles
from .runtime import (
    LOCAL_FIXED_OVERRIDES,
    Function,
    Runtime,
    RuntimeConfig,
    concurrency_cap,
    lambda_environment,
    lambda_python,
)
from .scheduler import SchedulerEmulator, install_template_schedules
from .server import StackServer
from .template import DEFAULT_ACCOUNT_ID, DEFAULT_STACK_NAME, Template, function_environment, function_specs

if TYPE_CHECKING:
    from datetime import datetime

DEFAULT_WEBHOOK_SECRETS = {
    "calcom": "local-calcom-secret",
    "calendly": "local-calendly-secret",
    "greenhouse": "local-greenhouse-secret",
    "lever": "local-lever-secret",
    "outcome": "local-outcome-secret",
    # Providers' API keys live in the same secret (WEBHOOK_SECRET_GREENHOUSE_API_KEY, ...).
    "greenhouse_api_key": "local-greenhouse-api-key",
    "lever_api_key": "local-lever-api-key",
}
WEBHOOK_SECRETS_LOGICAL_ID = "WebhookSecrets"
# Template parameters the local stack sets unless told otherwise: an inbox domain, so the
# SES receipt rule and the function behind it exist locally (POST /_local/email).
# The End User Messaging SMS origination identity and WhatsApp phone number id the emulators
# (eum_sms, eum_social) hold, as an operator's deploy names a real number's; the advisers'
# console's first admin (AdminEmail).
DEFAULT_PARAMETER_OVERRIDES = {
    "InboxDomain": "inbox.localhost",
    "AdminEmail": "admin@local.test",
    "SmsOriginationIdentity": topics.LOCAL_NUMBER,
    "WhatsAppPhoneNumberId": "phone-number-id-0123456789abcdef0123456789abcdef",
}
# The advisers' console's first admin locally (AdminEmail above); its temporary password is
# printed at start (``LocalStack.admin_password``).
LOCAL_ADMIN_EMAIL = "admin@local.test"
# The advisers' console: the one function given the local clock and outbox panels' address.
CONSOLE_FUNCTION = "ConsoleFunction"
# The SDK's service-specific endpoint variables (botocore reads them from the service model's
# serviceId): where the functions reach End User Messaging SMS and Social, which moto lacks.
EUM_ENDPOINT_VARIABLES = {
    "AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2": eum_sms.PATH,
    "AWS_ENDPOINT_URL_SOCIALMESSAGING": eum_social.PATH,
}
# The topic the WhatsApp Business Account's event destination is set to (docs/operations.md).
WHATSAPP_EVENTS_TOPIC = "MessageEventsTopic"
# Values for parameters a template declares without a Default (a deploy must name a real
# sender; locally any address will do). Used only where the template has no Default.
LOCAL_VALUES_FOR_REQUIRED_PARAMETERS = {"SenderEmail": "nudges@example.com"}
# A function whose template environment declares one of these gets the stack's own value
# when the stack's environment sets it (to point a function at a fake provider, say).
PROVIDER_URL_VARIABLES = (
    "GOOGLE_API_BASE_URL",
    "GOOGLE_TOKEN_URL",
    "GRAPH_API_BASE_URL",
    "MS_TOKEN_URL",
    "GOOGLE_AUTH_URL",
    "MS_AUTH_URL",
    "LEVER_API_BASE_URL",
    "GREENHOUSE_API_BASE_URL",
    "GOOGLE_AUTH_URL",
    "MS_AUTH_URL",
)

_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def webhook_secrets() -> dict[str, str]:
    """The signing secrets the stack installs: ``WEBHOOK_SECRET_<PROVIDER>`` or the defaults."""
    return {k: os.environ.get(f"WEBHOOK_SECRET_{k.upper()}", v) for k, v in DEFAULT_WEBHOOK_SECRETS.items()}


def local_parameter_values(template_path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The overrides, plus a local value for each parameter the template leaves without a Default."""
    from .template import load_template

    parameters = load_template(template_path).get("Parameters") or {}
    required = {
        name: value
        for name, value in LOCAL_VALUES_FOR_REQUIRED_PARAMETERS.items()
        if name in parameters and "Default" not in parameters[name]
    }
    return {**required, **overrides}


class LocalStack:
    def __init__(
        self,
        project_root: str | Path = ".",
        template_path: str | Path = "template.yaml",
        port: int = 0,
        parameter_overrides: dict[str, Any] | None = None,
        endpoint_url: str | None = None,
        *,
        host: str = "127.0.0.1",
        stack_name: str = DEFAULT_STACK_NAME,
        log_requests: bool = False,
        function_endpoint_url: str | None = None,
        warm: bool = False,
        echo_function_logs: bool = True,
        enforce_iam: bool = True,
    ) -> None:
        self.project_root = Path(project_root).resolve()
        path = Path(template_path)
        self.template_path = path if path.is_absolute() else self.project_root / path
        self.host = host
        self.port = port
        self.parameter_overrides = {**DEFAULT_PARAMETER_OVERRIDES, **(parameter_overrides or {})}
        self.endpoint_url = endpoint_url
        self.stack_name = stack_name
        self.log_requests = log_requests
        # Where the functions' AWS calls go, when not to ``endpoint_url`` itself (a fault proxy
        # in front of it, say); the stack's own calls (provisioning, controls, outbox) go direct.
        self.function_endpoint_url = function_endpoint_url
        self._log_tee: Any = None
        self.warm = warm  # cold-start every function at start (else each on its first event)
        self.echo_function_logs = echo_function_logs  # False: only listeners get the functions' lines
        # Each function's AWS calls go through the authorising proxy with its role's credentials
        # (False only to measure what the proxy costs: the contract has every function authorised).
        self.enforce_iam = enforce_iam
        self.authorizer: AuthorizingProxy | None = None
        self.runtime: Runtime | None = None
        self.clock = VirtualClock()
        self.account_id = DEFAULT_ACCOUNT_ID
        self.created: list[str] = []
        self.routes: list[Route] = []
        self._moto: Any = None
        self._server: StackServer | None = None
        self._thread: threading.Thread | None = None
        self._saved_env: dict[str, str | None] = {}
        self._control_lock = threading.Lock()
        self._delivery_lock = threading.RLock()
        self._imports: LayerImports | None = None
        self.controls: StackControls | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Provision, load the functions and serve in a background thread; returns the base URL."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def _setenv(self, name: str, value: str) -> None:
        self._saved_env.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def _start(self) -> None:
        if not self.endpoint_url:
            self.endpoint_url = os.environ.get("AWS_ENDPOINT_URL") or self._start_moto()
        self._setenv("AWS_ENDPOINT_URL", self.endpoint_url)
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            for name, value in _FAKE_AWS_ENV.items():
                self._setenv(name, value)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not region:
            region = "us-east-1"
            self._setenv("AWS_DEFAULT_REGION", region)
        self.aws = Aws(self.endpoint_url, region, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
        try:
            self.account_id = self.aws.client("sts").get_caller_identity()["Account"]
        except (ClientError, BotoCoreError):
            self.account_id = DEFAULT_ACCOUNT_ID
        self.aws.account_id = self.account_id
        # moto has neither End User Messaging API: the stack serves them (/_aws/...), and
        # provisions the template's SMS resources into them.
        bucket = f"local-stack-end-user-messaging-{self.account_id}"
        s3 = self.aws.client("s3")
        self.sms_voice = eum_sms.SmsVoiceEmulator(
            region, self.account_id, self.clock.now, self._publish_event, EndpointStore(s3, bucket, "sms-voice")
        )
        self.social = eum_social.SocialMessagingEmulator(
            region, self.account_id, self.clock.now, self._publish_event, EndpointStore(s3, bucket, "social-messaging")
        )
        self.aws.emulators = {"sms-voice": self.sms_voice, "social-messaging": self.social}

        self.template = Template(
            self.template_path,
            stack_name=self.stack_name,
            parameter_overrides=local_parameter_values(self.template_path, self.parameter_overrides),
            region=region,
            account_id=self.account_id,
        )
        self.provisioner = Provisioner(self.template, self.aws)
        self.created = self.provisioner.provision_all()
        self._install_webhook_secrets()

        # Bind first: PUBLIC_BASE_URL needs the real port.
        self._server = StackServer((self.host, self.port), self)
        self.port = self._server.server_address[1]

        self.ses_events = ses_events.SesEvents(self.aws, embedded=self._moto is not None)
        self.ses_events.start()
        self._start_authorizer(region)
        self.runtime = self._build_runtime(region)
        self.docs = Docs(self.runtime)
        if self._imports is not None:
            self._imports.install_clock(self.clock.now)
        self._wire_events()
        self.controls = StackControls(
            self.aws,
            self.template,
            self.clock,
            self.scheduler,
            self.drainer,
            (self.sms_voice, self.social),
            self.ses_events,
            self.topic_subscribers,
            self.account_id,
        )
        self._set_up_messaging()
        self._tee_logs()
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-stack-http", daemon=True)
        self._thread.start()
        RUNNING.add(id(self))
        if self.warm:
            # Serving already (health answers); every function cold-starts at once meanwhile.
            self.runtime.load_all()

    def _start_moto(self) -> str:
        self._moto = embedded_moto
        return embedded_moto.endpoint(reset=not RUNNING)

    def _tee_logs(self) -> None:
        """With ``NUDGES_LOCAL_LOG_FILE`` set, every line the functions write to stdout (their
        structured log lines) is appended to that file as well (for scans of what would reach
        CloudWatch)."""
        path = os.environ.get("NUDGES_LOCAL_LOG_FILE")
        if not path or self.runtime is None:
            return
        tee = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        lock = threading.Lock()

        def write(_function: str, stream: str, line: str) -> None:
            if stream == "stdout":
                with lock:
                    tee.write(line if line.endswith("\n") else line + "\n")
                    tee.flush()

        self.runtime.add_log_listener(write)
        self._log_tee = (tee, write)

    def _start_authorizer(self, region: str) -> None:
        """The roles of the template's functions, a credential per role, and the proxy that
        authorises every function's call with them (``authorizer``)."""
        self._role_credentials: dict[str, Credentials] = {}
        if not self.enforce_iam:
            return
        names = {spec.logical_id: spec.name for spec in function_specs(self.template)}
        roles = template_roles(self.template, names)
        secret = new_stack_secret()
        by_key = {}
        for logical_id, role in roles.items():
            credentials = role_credentials(logical_id, secret)
            self._role_credentials[logical_id] = credentials
            by_key[credentials.access_key] = role
        upstream = self.function_endpoint_url or self.endpoint_url or ""
        own = Credentials(
            os.environ["AWS_ACCESS_KEY_ID"],
            os.environ["AWS_SECRET_ACCESS_KEY"],
            os.environ.get("AWS_SESSION_TOKEN") or "",
        )
        self.authorizer = AuthorizingProxy(
            upstream,
            by_key,
            Lookups(self.aws.client, self.account_id, region),
            own,
            usage_log=os.environ.get("NUDGES_PERMISSIONS_LOG") or None,
            label=str(self.template_path),
        ).start()

    def stop(self) -> None:
        RUNNING.discard(id(self))
        if self.runtime is not None:
            self.runtime.shutdown()
        if self.authorizer is not None:
            self.authorizer.stop()
            self.authorizer = None
        if self._log_tee is not None:
            tee, listener = self._log_tee
            if self.runtime is not None:
                self.runtime.remove_log_listener(listener)
            tee.close()
            self._log_tee = None
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(timeout=10)
            self._server.server_close()
            self._server = None
            self._thread = None
        self._moto = None  # the embedded server stays up for the process's next stack
        if self._imports is not None:
            self._imports.unload()
            if not self._imports.loaded:
                self._imports = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ wiring

    def _layer_paths(self) -> list[Path]:
        paths = []
        for logical_id in self.template.of_type("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            props = self.template.properties(logical_id)
            uri = props.get("ContentUri") or (props.get("Content") or {}).get("S3Key")
            if not isinstance(uri, str):
                continue
            root = (self.template.root / uri).resolve()
            # A built layer keeps Python code under python/; a source layer (BuildMethod) at its root.
            paths.append(root / "python" if (root / "python").is_dir() else root)
        return paths

    def _function_overrides(self, region: str) -> dict[str, str]:
        """The contract's local overrides every function gets: where AWS is, the credentials."""
        overrides = {
            **LOCAL_FIXED_OVERRIDES,
            "AWS_ENDPOINT_URL": self.function_endpoint_url or self.endpoint_url or "",
            "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
        }
        for name, path in EUM_ENDPOINT_VARIABLES.items():
            # Whoever starts the stack may put something in front (a recorder, say): theirs wins.
            overrides[name] = os.environ.get(name) or f"{self.base_url}{path}"
        if os.environ.get("AWS_SESSION_TOKEN"):
            overrides["AWS_SESSION_TOKEN"] = os.environ["AWS_SESSION_TOKEN"]
        return overrides

    def _virtual_now(self) -> str | None:
        """What each invocation carries as "now": the set instant, or None while it follows real time."""
        return self.clock.now().isoformat() if self.clock.is_set else None

    def _build_runtime(self, region: str) -> Runtime:
        # The stack's own process imports the layer too (the console reads through it).
        self._imports = LayerImports(self._layer_paths())
        self._imports.load()
        config = RuntimeConfig(
            python=lambda_python(),
            layer_paths=self._layer_paths(),
            concurrency=concurrency_cap(),
            now=self._virtual_now,
            echo=self.echo_function_logs,
        )
        overrides = self._function_overrides(region)
        functions = []
        for spec in function_specs(self.template):
            variables = function_environment(self.template, spec.logical_id)
            local = dict(overrides)
            if spec.logical_id == CONSOLE_FUNCTION:
                # The console links to the local-only clock and outbox panels (never deployed,
                # so not in the template: the console's environment is near Lambda's 4 KB).
                local["LOCAL_PANELS_URL"] = "/_local/console"
            if "PUBLIC_BASE_URL" in variables:
                # Links and callbacks point at this stack (or wherever the environment says).
                local["PUBLIC_BASE_URL"] = os.environ.get("PUBLIC_BASE_URL") or self.base_url
            for name in PROVIDER_URL_VARIABLES:
                if name in variables and os.environ.get(name):
                    local[name] = os.environ[name]
            credentials = self._role_credentials.get(spec.logical_id)
            if credentials is not None and self.authorizer is not None:
                # Its role's credentials, and the authorising proxy in front of the AWS endpoint.
                local["AWS_ENDPOINT_URL"] = self.authorizer.url
                local["AWS_ACCESS_KEY_ID"] = credentials.access_key
                local["AWS_SECRET_ACCESS_KEY"] = credentials.secret_key
                local["AWS_SESSION_TOKEN"] = credentials.session_token
            environment = lambda_environment(spec, variables, local)
            if self.authorizer is not None:
                environment = self.authorizer.front(environment)  # service-specific endpoints too
            functions.append(Function(spec, environment, config))
        return Runtime(functions, config)

    def _wire_events(self) -> None:
        self.routes = []
        sources = []
        self.topic_subscribers: dict[str, list[Function]] = {}
        for fn in self.runtime.functions.values():
            for _name, props in fn.spec.events_of_type("HttpApi"):
                method = str(props.get("Method") or "ANY")
                method = "ANY" if method in ("*", "any") else method
                self.routes.append(make_route(method, str(props.get("Path") or "$default"), fn))
            for _name, props in fn.spec.events_of_type("SQS"):
                if props.get("Enabled") is False:
                    continue
                sources.append(
                    EventSource(
                        function=fn,
                        queue_arn=str(props["Queue"]),
                        batch_size=int(props.get("BatchSize") or 10),
                        report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                    )
                )
            for _name, props in fn.spec.events_of_type("SNS"):
                self.topic_subscribers.setdefault(str(props["Topic"]), []).append(fn)
        self.drainer = QueueDrainer(self.aws, sources)
        groups = [str(self.template.ref(lid)) for lid in self.template.of_type("AWS::Scheduler::ScheduleGroup")] or [
            "default"
        ]
        for group in install_template_schedules(self.aws, self.runtime, self.account_id):
            if group not in groups:
                groups.append(group)
        self.scheduler = SchedulerEmulator(self.aws, groups, self.runtime, self.clock.now())

    def _set_up_messaging(self) -> None:
        """What an operator sets up once outside CloudFormation, done here in the emulators: the
        origination identity and WhatsApp phone number the Parameters name, the WhatsApp Business
        Account's event destination, and the repository's WhatsApp templates submitted."""
        parameters = self.template.parameters
        two_way = str(self.template.ref("InboundSmsTopic")) if "InboundSmsTopic" in self.template.resources else None
        if parameters.get("SmsOriginationIdentity"):
            self.sms_voice.register_origination_identity(str(parameters["SmsOriginationIdentity"]), two_way)
        if parameters.get("WhatsAppPhoneNumberId"):
            self.social.link_phone_number(str(parameters["WhatsAppPhoneNumberId"]))
            if WHATSAPP_EVENTS_TOPIC in self.template.resources:
                self.social.call(
                    "PutWhatsAppBusinessAccountEventDestinations",
                    id=self.social.waba_id,
                    eventDestinations=[{"eventDestinationArn": str(self.template.ref(WHATSAPP_EVENTS_TOPIC))}],
                )
            for definition in eum_social.repository_templates(self.project_root):
                self.social.call("CreateWhatsAppMessageTemplate", id=self.social.waba_id, templateDefinition=definition)

    def _publish_event(self, topic: str, message: dict[str, Any]) -> None:
        """An End User Messaging event to its SNS topic, and to the functions subscribed to it."""
        if self.controls is not None:
            self.controls.publish_event(topic, message)

    def _install_webhook_secrets(self) -> None:
        if WEBHOOK_SECRETS_LOGICAL_ID not in self.template.resources:
            return
        arn = self.template.ref(WEBHOOK_SECRETS_LOGICAL_ID)
        value = json.dumps(webhook_secrets())
        sm = self.aws.client("secretsmanager")
        try:
            current = sm.get_secret_value(SecretId=arn).get("SecretString")
        except ClientError:
            current = None
        if current != value:
            sm.put_secret_value(SecretId=arn, SecretString=value)

    # ------------------------------------------------------------------ controls (controls.py)

    @property
    def admin_password(self) -> str:
        """The first admin's temporary password, set at this start; empty once they chose their own."""
        for logical_id in self.template.of_type("AWS::Cognito::UserPoolUser"):
            resolved = self.provisioner.resolved.get(logical_id)
            if resolved:
                return str(resolved[1].get("TemporaryPassword") or "")
        return ""

    def _controls(self) -> StackControls:
        if self.controls is None:
            raise RuntimeError("the stack is not started")
        return self.controls

    def set_clock(self, now: datetime, *, deliver_twice: bool = False) -> dict[str, Any]:
        return self._controls().set_clock(now, deliver_twice=deliver_twice)

    def outbox(self) -> list[dict[str, Any]]:
        return self._controls().outbox()

    def notify_deliveries(self) -> None:
        self._controls().notify_deliveries()

    def email_event(self, kind: str, address: str | None, message_id: str | None = None) -> str:
        return self._controls().email_event(kind, address, message_id)

    def inbound_sms(self, sender: str, body: str) -> None:
        self._controls().inbound_sms(sender, body)

    def inbound_whatsapp(self, sender: str, body: str) -> None:
        self._controls().inbound_whatsapp(sender, body)

    def message_status(self, channel: str, message_id: str, status: str) -> None:
        self._controls().message_status(channel, message_id, status)

    def inbound_email(self, raw: bytes, recipients: list[str] | None = None) -> dict[str, Any]:
        return self._controls().inbound_email(raw, recipients)
