# One-command set-up. `make lab` for learners, `make test` for everyone else.
# Both create the virtual environment in .venv on first use (Python 3.11 + pip): `make lab` with
# the learner's set (pyproject.toml's dependencies), every other target with every group
# (`.[all]`: the instructor's tools, the hub, the cluster, the tests).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LEARNER_STAMP := $(VENV)/.learner
PORT   ?= 8888
LAB_ARGS ?=

.PHONY: lab test test-fast test-numerics env generate execute release hub formgrader clean-env

env: $(STAMP)

define make_venv
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
endef

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(make_venv)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[all]"
	touch $(STAMP) $(LEARNER_STAMP)

# The learner's set only; an environment with every group has it already.
$(LEARNER_STAMP): constraints.txt pyproject.toml
	$(make_venv)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $(LEARNER_STAMP)

## Open JupyterLab on the course, lesson 1 first (installs the learner's set only).
lab: $(LEARNER_STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --port=$(PORT) $(LAB_ARGS) lessons/01_neuron.ipynb

## Run the whole test suite (the command CI runs), then the portability run below.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope \
	    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    tests lessons solutions
	$(MAKE) --no-print-directory test-numerics

## The tests not marked slow, the notebooks under nbval and the drift check again, with OpenBLAS
## and numpy's SIMD switched to other kernels of this machine (tests/support/numerics.py): what
## another processor would compute, to the last bit. Fails if the switch changed nothing.
test-numerics: $(STAMP)
	@eval "$$($(BIN)/python tests/support/numerics.py env)" && \
	$(BIN)/python tests/support/numerics.py confirm && \
	$(BIN)/python -m pytest -n 2 --dist loadscope -m "not slow" \
	    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    tests lessons solutions && \
	$(BIN)/python -m autograder drift

## The edit-test loop: the tests not marked slow (no notebooks under nbval, no grading runs,
## no browser, no hub): under a minute on two cores.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow" tests

## Regenerate exercises/ (student versions) from solutions/ with nbgrader.
generate: $(STAMP)
	$(BIN)/python -m autograder generate

## Build the learner edition (no solutions, no grader) in OUT: make release OUT=../backprop-learner
release: $(STAMP)
	@test -n "$(OUT)" || (echo "give a new folder: make release OUT=../backprop-learner" && false)
	$(BIN)/python -m autograder release "$(OUT)"

## A class hub on this machine (as root): make hub ROSTER=roster.csv [HUB_STATE=DIR] [HUB_ARGS=...]
HUB_STATE ?= /var/lib/backprop-hub
hub: $(STAMP)
	@test -n "$(ROSTER)" || (echo "give the class list: make hub ROSTER=roster.csv (a CSV with the header id,name)" && false)
	$(BIN)/python -m autograder.hub install-proxy
	$(BIN)/python -m autograder.hub start --roster "$(ROSTER)" --state "$(HUB_STATE)" $(HUB_ARGS)

## nbgrader's formgrader on a graded course folder (review by hand, manual scores, comments):
## make formgrader COURSE=path/to/course, then open the Formgrader from JupyterLab's Nbgrader menu.
## nbgrader reads COURSE/nbgrader_config.py (written by the grade command), so it runs from there.
formgrader: $(STAMP)
	@test -n "$(COURSE)" || (echo "give the graded course folder: make formgrader COURSE=path/to/course" && false)
	@test -f "$(COURSE)/gradebook.db" || (echo "$(COURSE) has no gradebook.db: grade it first (python -m autograder grade $(COURSE))" && false)
	cd "$(COURSE)" && "$(CURDIR)/$(BIN)/jupyter" lab --ServerApp.root_dir=. --port=$(PORT) $(LAB_ARGS)

## Re-execute lessons/ and solutions/ in place, storing fresh outputs.
execute: $(STAMP)
	$(BIN)/python -m autograder execute

clean-env:
	rm -rf $(VENV)
