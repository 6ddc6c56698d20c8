# netraven.netraven: build and test entry points.  `make test` is what CI runs (.ci/run);
# `make check` is the fast loop while you work (tests/README.md).
#
#   make check           the fast loop, under 5 minutes: ruff, mypy, then the
#                        unit tests and the integration tests not marked slow (pytest -m "not slow")
#                        on SQLite and a throwaway PostgreSQL  (PYTEST_ARGS="-k chains" ...)
#   make test            the whole gate: three lanes side by side (make -j3): venv, pytest; venv, ruff,
#                        mypy, lint, docs-lint, sanity, units; venv-newest, sanity-newest, units-newest.
#                        The two check lanes run niced: they take the CPU pytest leaves idle while its
#                        tests wait on SSH, Ansible and the database (fails fast per lane)
#   make venv            .venv (Python 3.11): requirements.txt + requirements-test.txt (stamped)
#   make pytest          tests/unit + tests/integration + devicelab/tests against a throwaway
#                        PostgreSQL (PYTEST_ARGS="-k chains -x", PYTEST_ARGS="-m lab", ...)
#   make sanity / units  ansible-test on a copy of the collection (ansible-core 2.19, Python 3.11)
#   make lint            ansible-lint, production profile, offline
#   make ruff            ruff check (rules in ruff.toml) on every Python file of the checkout
#   make mypy            mypy --strict (mypy.ini) on plugins/, as ansible_collections.netraven.netraven
#   make docs-lint       antsibull-docs lint-collection-docs --plugin-docs: the plugin docs render as
#                        on docs.ansible.com
#   make sanity-newest / units-newest
#                        the same with the newest ansible-core on Python 3.12 (.venv-newest);
#                        skipped when there is no Python 3.12, left out of `test` with NEWEST=0
#   make demo            the demo: build and install the collection, migrate .demo/netraven.db,
#                        start a simulated network of 25 devices and back it up twice
#   make clean           test output and scratch trees (keeps venvs and ansible-test's caches)
#   make distclean       clean + venvs + caches
#
# Each stage prints its wall and CPU time; `make test` and `make check` end with a table of them.
# Helpers are in scripts/.

SHELL := /bin/bash
.DEFAULT_GOAL := test
.SUFFIXES:

# Runs the standard-library-only helpers (stage timer, PostgreSQL wrapper) before any venv exists.
HOST_PY ?= python3
VENV := .venv
VENV_NEWEST := .venv-newest
NEWEST_PYTHON ?= 3.12
NEWEST ?= 1

PYTEST_ARGS ?=
# Two workers, one test file each at a time: most tests wait on SSH, Ansible or the database, so
# two workers halve pytest's wall time on 2 cores (measured: 658 s serial, 334 s with -n 2).
# A file's module-scoped fixtures (a lab fleet, one database) stay in one worker. PYTEST_XDIST= runs serially.
PYTEST_XDIST ?= -n 2 --dist loadfile
SANITY_ARGS ?=
UNITS_ARGS ?=
LINT_ARGS ?=

STAGE := $(HOST_PY) scripts/stage.py
# The venv's tools (ansible-playbook, ansible-lint, ...) first on PATH for the stages.
IN_VENV := env PATH="$(CURDIR)/$(VENV)/bin:$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)"
HAVE_NEWEST_PY := scripts/find_python.sh $(NEWEST_PYTHON) >/dev/null

# make test's lanes. pytest's tests wait much of the time (SSH to the lab, ansible-playbook runs,
# the database), which leaves CPU idle; sanity, units and the linters are CPU-bound. So three
# lanes run side by side: pytest at normal priority, and the checks of each
# ansible-core version niced (CHECKS_NICE), so that they take what pytest leaves and pytest's
# timing stays as when it runs alone: at nice 19 Linux gives them about 1.5 % of a core that
# pytest's processes want too (at nice 10 it was 10 %, enough to push a timing-bound test over its
# bound on a loaded machine). Within a lane the stages run in order, quick ones first; a failed
# stage stops its lane, and make test fails when any lane does.
CHECKS_NICE ?= 19
LANES := lane-pytest lane-checks $(if $(filter 1,$(NEWEST)),lane-newest)
CHECK_STAGES := ruff mypy lint docs-lint sanity units
NEWEST_STAGES := venv-newest sanity-newest units-newest
# make check: the integration tests marked slow (pytest.ini) are left to make test.
CHECK_PYTEST_MARKERS ?= not slow

.PHONY: test test-start check check-start pytest-check venv venv-newest pytest sanity units lint ruff mypy \
	docs-lint sanity-newest units-newest lanes lane-pytest lane-checks lane-newest clean distclean demo

# Recipes `exec` their one command, so a SIGTERM that make passes on reaches the stage itself
# (which passes it on and cleans up: the PostgreSQL wrapper stops its server).
# JUnit reports of this run's test stages (pytest, ansible-test units): the summary ends
# with their total as one "tests: N passed, N failed, N skipped" line.
JUNIT := .tmp/junit/pytest.xml .tmp/ansible-test/units-*/ansible_collections/netraven/netraven/tests/output/junit/*.xml

# Stages record their times only when run by `make test` or `make check` (target-specific, so inherited).
test: export STAGE_TIMINGS := $(CURDIR)/.tmp/stage-times.tsv
test: test-start lanes
	@$(STAGE) --summary $(JUNIT)

test-start:
	@mkdir -p .tmp && : >"$(STAGE_TIMINGS)" && rm -rf .tmp/junit .tmp/ansible-test/units-*

# In a log (not a terminal) each stage's output is printed in one block when it ends (stage.py).
# The newest ansible-core's lane needs only its own venv, so it starts while .venv is being made.
lanes:
	@[ -t 1 ] || export STAGE_GROUP_OUTPUT=1; exec $(MAKE) --no-print-directory -j3 $(LANES)

# LANE=1: the stages of a lane run one after the other (.NOTPARALLEL below), not in parallel with
# the job slots the lanes share.
lane-pytest: venv
	@exec $(MAKE) --no-print-directory LANE=1 pytest

lane-checks: venv
	@exec nice -n $(CHECKS_NICE) $(MAKE) --no-print-directory LANE=1 $(CHECK_STAGES)

lane-newest:
	@exec nice -n $(CHECKS_NICE) $(MAKE) --no-print-directory LANE=1 $(NEWEST_STAGES)

ifeq ($(LANE),1)
.NOTPARALLEL:
endif

check: export STAGE_TIMINGS := $(CURDIR)/.tmp/stage-times-check.tsv
check: check-start venv ruff mypy pytest-check
	@$(STAGE) --summary .tmp/junit/pytest-check.xml

check-start:
	@mkdir -p .tmp && : >"$(STAGE_TIMINGS)" && rm -f .tmp/junit/pytest-check.xml

pytest-check: venv
	@exec $(IN_VENV) $(STAGE) pytest-check -- \
		$(HOST_PY) scripts/pgserver.py run -- $(VENV)/bin/python -m pytest --junitxml=.tmp/junit/pytest-check.xml \
		$(PYTEST_XDIST) -m "$(CHECK_PYTEST_MARKERS)" $(PYTEST_ARGS)

venv:
	@exec $(STAGE) venv -- scripts/venv.sh main

venv-newest:
	@if $(HAVE_NEWEST_PY); then exec $(STAGE) venv-newest -- scripts/venv.sh newest; \
	else echo "== venv-newest: skipped, no Python $(NEWEST_PYTHON)"; fi

pytest: venv
	@exec $(IN_VENV) $(STAGE) pytest -- \
		$(HOST_PY) scripts/pgserver.py run -- $(VENV)/bin/python -m pytest --junitxml=.tmp/junit/pytest.xml $(PYTEST_XDIST) $(PYTEST_ARGS)

sanity: venv
	@exec $(STAGE) sanity -- $(HOST_PY) scripts/ansible_test.py --venv $(VENV) sanity $(SANITY_ARGS)

units: venv
	@exec $(STAGE) units -- $(HOST_PY) scripts/ansible_test.py --venv $(VENV) units $(UNITS_ARGS)

# offline: true keeps ansible-lint from installing this collection for itself, so playbooks
# resolve netraven.netraven.* through a collections tree that links to the checkout (the same
# .tmp/collections tree the root conftest.py makes for pytest).
COLLECTIONS_TREE := $(CURDIR)/.tmp/collections
lint: venv
	@mkdir -p $(COLLECTIONS_TREE)/ansible_collections/netraven && \
		ln -sfn $(CURDIR) $(COLLECTIONS_TREE)/ansible_collections/netraven/netraven && \
		exec $(IN_VENV) ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_TREE) $(STAGE) lint -- $(VENV)/bin/ansible-lint $$([ -t 1 ] || echo --nocolor) $(LINT_ARGS)

ruff: venv
	@exec $(STAGE) ruff -- $(VENV)/bin/ruff check --no-cache $$([ -t 1 ] || echo --output-format=concise) .

# mypy checks plugins/ under the collection's import name (mypy.ini), which the collections tree
# that links to the checkout gives it (the tree lint and docs-lint use too).
mypy: venv
	@mkdir -p $(COLLECTIONS_TREE)/ansible_collections/netraven && \
		ln -sfn $(CURDIR) $(COLLECTIONS_TREE)/ansible_collections/netraven/netraven && \
		exec $(STAGE) mypy -- $(VENV)/bin/mypy

# antsibull-docs calls `ansible-doc` and finds the collection through the same collections tree.
docs-lint: venv
	@mkdir -p $(COLLECTIONS_TREE)/ansible_collections/netraven && \
		ln -sfn $(CURDIR) $(COLLECTIONS_TREE)/ansible_collections/netraven/netraven && \
		exec $(IN_VENV) ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_TREE) $(STAGE) docs-lint -- \
		$(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs $(COLLECTIONS_TREE)/ansible_collections/netraven/netraven

sanity-newest: venv-newest
	@if $(HAVE_NEWEST_PY); then \
		exec $(STAGE) sanity-newest -- $(HOST_PY) scripts/ansible_test.py --venv $(VENV_NEWEST) sanity $(SANITY_ARGS); \
	else echo "== sanity-newest: skipped, no Python $(NEWEST_PYTHON)"; fi

units-newest: venv-newest
	@if $(HAVE_NEWEST_PY); then \
		exec $(STAGE) units-newest -- $(HOST_PY) scripts/ansible_test.py --venv $(VENV_NEWEST) units $(UNITS_ARGS); \
	else echo "== units-newest: skipped, no Python $(NEWEST_PYTHON)"; fi

# demo/run_demo.py: everything it makes lives in .demo/ (kept between runs: a second demo changes
# nothing in the estate); it stops its device lab on every exit, Ctrl-C included.
demo: venv
	@exec $(IN_VENV) $(VENV)/bin/python demo/run_demo.py

clean:
	rm -rf .tmp tests/output .pytest_cache
	find . -path ./.venv -prune -o -path ./.venv-newest -prune -o -path ./.cache -prune -o \
		-name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(VENV_NEWEST) .cache
