# Interview Nudges: the commands a person wants. Python 3.13 is found by scripts/find-python.sh
# (override with PYTHON=/path/to/python3.13).
SHELL := /bin/bash
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
CHECKOV_VENV := .venv-checkov
# The interpreter the local stack runs functions with: only what Lambda's python3.13 has.
LAMBDA_VENV := .venv-lambda
PORT ?= 3000
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0
# template.yaml generates its errors alarms with Fn::ForEach (the AWS::LanguageExtensions
# transform); SAM CLI expands it locally only when asked (samconfig.toml asks too).
export SAM_CLI_ENABLE_LANGUAGE_EXTENSIONS := 1

.PHONY: demo test local lint build unit integration e2e bench scale deploy clean redrive backfill-message-months chaos fuzz screenshot openapi messages permissions FORCE

# The last step installs the operator's command line, .venv/bin/nudges (pyproject.toml: only the
# nudges_cli package, editable, so it runs the checked-out code).
$(VENV)/.installed: requirements-dev.txt layers/nudges/requirements.txt pyproject.toml
	@py="$$(PYTHON='$(PYTHON)' scripts/find-python.sh)" || exit 1; \
	  [ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

# SAM CLI pins its own boto3, so it lives in a venv of its own.
$(SAM_VENV)/.installed: requirements-sam.txt
	@py="$$(PYTHON='$(PYTHON)' scripts/find-python.sh)" || exit 1; \
	  [ -x $(SAM_VENV)/bin/python ] || "$$py" -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	@touch $@

# checkov pins its own (older) boto3, so it too lives in a venv of its own.
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@py="$$(PYTHON='$(PYTHON)' scripts/find-python.sh)" || exit 1; \
	  [ -x $(CHECKOV_VENV)/bin/python ] || "$$py" -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

# What a function can import on Lambda: the layer's requirements and the runtime's boto3, nothing
# from requirements-dev.txt. Made anew on each change, so a package dropped from a list is gone.
$(LAMBDA_VENV)/.installed: layers/nudges/requirements.txt requirements-lambda-runtime.txt
	@py="$$(PYTHON='$(PYTHON)' scripts/find-python.sh)" || exit 1; \
	  rm -rf $(LAMBDA_VENV) && "$$py" -m venv $(LAMBDA_VENV)
	$(LAMBDA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r layers/nudges/requirements.txt -r requirements-lambda-runtime.txt
	@touch $@

# Debian's headless Chromium and its driver, for the console's browser test and screenshot (no
# browser download). Re-checked while either is missing; without apt-get as root those tests skip.
CHROMIUM_READY := $(and $(wildcard /usr/bin/chromium),$(wildcard /usr/bin/chromedriver))
.chromium: $(if $(CHROMIUM_READY),,FORCE)
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium and chromium-driver"; \
	    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver \
	      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }; \
	    } >/dev/null || echo "chromium could not be installed: the console's browser tests will skip"; \
	  else \
	    echo "no /usr/bin/chromium and no apt-get as root: the console's browser tests will skip"; \
	  fi; \
	fi
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then touch $@; fi
FORCE:

demo: $(VENV)/.installed $(LAMBDA_VENV)/.installed
	$(PY) scripts/demo.py

local: $(VENV)/.installed $(LAMBDA_VENV)/.installed
	PORT=$(PORT) $(PY) -m local_stack

test: $(VENV)/.installed $(LAMBDA_VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed .chromium
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -n 2 --dist loadfile -q

# One tier of the suite each (make test runs them all, after lint): unit (no network, no AWS
# emulator), integration (handlers and the local stack in-process, against moto), e2e (the
# local stack driven through its HTTP routes, the console in headless Chromium when present).
unit: $(VENV)/.installed
	$(PY) -m pytest -n 2 --dist loadfile -q tests/unit

integration: $(VENV)/.installed $(SAM_VENV)/.installed
	$(PY) -m pytest -n 2 --dist loadfile -q tests/integration

e2e: $(VENV)/.installed .chromium
	$(PY) -m pytest -n 2 --dist loadfile -q tests/e2e

# The whole story for 20 candidates through a fault-injecting proxy (over a minute: not in test).
chaos: $(VENV)/.installed $(LAMBDA_VENV)/.installed
	set -o pipefail; NUDGES_CHAOS=1 $(PY) -m pytest -q -s -p no:logging tests/e2e/test_chaos.py 2>&1 | grep -v '^{"level"'

# The fuzz suites with random seeds and many more examples (minutes: not in test): every provider's
# signed webhook from its models, and Schemathesis on the operator API. FUZZ_EXAMPLES=N per provider.
fuzz: $(VENV)/.installed
	set -o pipefail; NUDGES_FUZZ=1 $(PY) -m pytest -q -s -p no:logging \
	  tests/e2e/test_fuzz_inputs.py tests/e2e/test_schemathesis.py 2>&1 | grep -v '^{"level'

lint: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	$(VENV)/bin/ruff check .
	PYTHONPATH=layers/nudges $(VENV)/bin/lint-imports
	$(VENV)/bin/mypy -p nudges
	$(VENV)/bin/mypy --no-error-summary tests/fakes/repositories.py
	@for app in functions/*/app.py; do $(VENV)/bin/mypy --no-error-summary "$$app" || exit 1; done
	$(VENV)/bin/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --config-file .checkov.yaml
	$(SAM) validate --lint --template template.yaml
	$(MAKE) --no-print-directory build

# sam build without Docker: needs python3.13 on PATH for the pip workflow. The zips carry 1980
# timestamps, so ship unchecked-hash .pyc files (scripts/bytecode.py compiles, then checks them).
build: $(SAM_VENV)/.installed
	PATH="$$(dirname "$$(PYTHON='$(PYTHON)' scripts/find-python.sh)"):$$PATH" $(SAM) build --cached --parallel
	"$$(PYTHON='$(PYTHON)' scripts/find-python.sh)" scripts/bytecode.py .aws-sam/build

# Per function, the grants the suite used and those it never used -> docs/permissions.md. Runs the
# local-stack tiers with the authorising proxy logging every grant a call was allowed by
# (PERMISSIONS_TESTS=... for fewer; the log of an earlier run is reused with PERMISSIONS_RUN=no).
PERMISSIONS_TESTS ?= tests/integration tests/e2e
PERMISSIONS_LOG := $(CURDIR)/.permissions-used.jsonl
permissions: $(VENV)/.installed $(LAMBDA_VENV)/.installed
	@if [ "$(PERMISSIONS_RUN)" != "no" ]; then rm -f $(PERMISSIONS_LOG); \
	  NUDGES_PERMISSIONS_LOG=$(PERMISSIONS_LOG) $(PY) -m pytest -n 2 --dist loadfile -q -p no:logging $(PERMISSIONS_TESTS) \
	  || echo "(some tests failed: the report below counts what ran)"; fi
	$(PY) scripts/permissions_report.py $(PERMISSIONS_LOG) --write docs/permissions.md >/dev/null
	@echo "wrote docs/permissions.md from $(PERMISSIONS_LOG)"

# Cold starts, memory, warm latency, AWS calls and cost per interview -> docs/performance.md
bench: $(VENV)/.installed $(LAMBDA_VENV)/.installed
	$(PY) scripts/bench.py

# A synthetic month of 10 thousand, 1 million and 10 million interviews through the real planner:
# pending schedules, Scheduler rates, deliveries, hot keys and cost -> docs/scale.md (no AWS).
scale: $(VENV)/.installed
	$(PY) scripts/scale.py --out docs/scale.md

# The local console in a realistic state, photographed by headless Chromium -> docs/console.png
screenshot: $(VENV)/.installed $(LAMBDA_VENV)/.installed .chromium
	$(PY) scripts/console_screenshot.py --out docs/console.png

# docs/messages/<locale>.md (and the index docs/messages.md): every message, kind x channel, per locale, for fixed scenarios, with SMS segments (a test fails on drift).
messages: $(VENV)/.installed
	$(PY) scripts/messages.py

# openapi.json: the operator API's OpenAPI document, generated from its routes (a test fails on drift).
openapi: $(VENV)/.installed
	$(PY) scripts/openapi.py

# Dead letters back to work: STACK=<stack name> (set AWS_ENDPOINT_URL for a local endpoint). The
# region is yours (AWS_REGION, your profile), never this Makefile's local default.
REGION_ENV := $(if $(filter file,$(origin AWS_DEFAULT_REGION)),env -u AWS_DEFAULT_REGION)
STACK ?= interview-nudges
redrive: $(VENV)/.installed
	$(REGION_ENV) $(PY) scripts/redrive.py --stack $(STACK)

# Once, after upgrading a stack from before the messages report's index (docs/operations.md section 14).
backfill-message-months: $(VENV)/.installed
	$(REGION_ENV) $(PY) scripts/backfill_message_months.py --stack $(STACK)

# sam build, then sam deploy with samconfig.toml, asking only for what has no default:
#   make deploy SENDER_EMAIL=nudges@yourdomain.com [ALARM_EMAIL=...] [INBOX_DOMAIN=...] [PUBLIC_BASE_URL=...]
#               [SENDER_IDENTITY_EXISTS=yes] [SENDER_NAME=...] [OPERATOR_NAME=...] [SUPPORT_EMAIL=...]
#               [PARAMS='Key=Value ...'] [STACK=...] [REGION=...] [CONFIG_ENV=...] [DEPLOY_ARGS=...]
# It runs the SAM CLI of .venv-sam ($(SAM), installed by make): `sam` itself need not be on PATH.
# Parameters and AWS access are checked before the build (scripts/deploy.py); the region comes from
# REGION, AWS_REGION / AWS_DEFAULT_REGION or your profile, never from this Makefile's local default.
DEPLOY_ENV := $(if $(filter file,$(origin AWS_DEFAULT_REGION)),env -u AWS_DEFAULT_REGION) STACK='$(if $(filter command line environment,$(origin STACK)),$(STACK))'
deploy: $(VENV)/.installed
	$(DEPLOY_ENV) $(PY) scripts/deploy.py --check
	$(MAKE) --no-print-directory build
	$(DEPLOY_ENV) $(PY) scripts/deploy.py --sam $(SAM)

clean:
	rm -rf .aws-sam .pytest_cache
