# smartcoop — `make run` brings everything up, `make test` proves it. See README.md.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
# OpenFisca-France, the French payroll test oracle, has pins that clash with ours: own venv.
OPENFISCA_VENV := .venv-openfisca
SERVICES := $(PY) scripts/services.py

.PHONY: run test lint bench venv openfisca messages totp clean

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $$(scripts/find_python.sh) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

$(OPENFISCA_VENV)/.installed: requirements-openfisca.lock
	@test -x $(OPENFISCA_VENV)/bin/python || $$(scripts/find_python.sh) -m venv $(OPENFISCA_VENV)
	@$(OPENFISCA_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-openfisca.lock
	@touch $@

openfisca: $(OPENFISCA_VENV)/.installed

run: venv
	@$(SERVICES) -- $(PY) scripts/run.py

test: venv openfisca
	@scripts/system_deps.sh
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@DATABASE_URL=postgres://typecheck@localhost/typecheck CELERY_BROKER_URL=redis://localhost:1/0 $(VENV)/bin/mypy
	@$(SERVICES) --ephemeral -- sh -c '$(PY) manage.py makemigrations --check --dry-run --settings=smartcoop.settings.test >/dev/null || { echo "Missing migrations: run manage.py makemigrations"; exit 1; }; $(VENV)/bin/pytest -p no:randomly $(PYTEST_ARGS)'

lint: venv
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: venv
	@$(SERVICES) --ephemeral -- sh -c 'for bench in benchmarks/*.py; do echo "== $$bench"; $(PY) $$bench || exit 1; done; for bench in tests/*/bench_*.py; do echo "== $$bench"; $(VENV)/bin/pytest -q -s $$bench || exit 1; done'

messages: venv
	@$(PY) manage.py makemessages -l nl -l fr -l de --ignore=.venv --ignore=tests --no-obsolete
	@$(PY) manage.py compilemessages --ignore=.venv

totp: venv
	@DATABASE_URL=postgres://unused/unused CELERY_BROKER_URL=redis://unused:1/0 $(PY) manage.py totp

clean:
	rm -rf .run staticfiles
