# nanoglue — set-up and everyday targets. After `git clone` two commands do everything:
#
#   make run    # install what is missing, then run the bundled paper case (configs/default.yaml)
#   make test   # install what is missing, then the test suite (serial, then MPI on 2 ranks)
#
# DOLFINx, PETSc, MPI and Gmsh come from Debian (python3-dolfinx is 0.5.2 on Debian 12 and 0.9.0
# on Debian 13); everything else goes into a venv that sees the system packages, with numpy pinned
# to the system's version so pip never pulls a numpy that Debian's petsc4py was not built for.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# /etc/debian_version is "12.11" on a release but "forky/sid" on unstable: the latter becomes
# "sid" (no slash in the venv path).
DEBIAN_MAJOR := $(shell cut -d. -f1 /etc/debian_version 2>/dev/null | sed -e 's|^.*/sid$$|sid|' -e 's|/|-|g' || echo unknown)
SYSTEM_PYTHON := /usr/bin/python3
VENV ?= .venv/debian-$(DEBIAN_MAJOR)
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.nanoglue-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

APT_PACKAGES := python3-dolfinx python3-petsc4py python3-mpi4py python3-gmsh openmpi-bin \
                python3-venv python3-pip gcc libgl1 libegl1 libxrender1 libxcursor1 libxft2 \
                libxinerama1 libopenblas0-serial
# libopenblas0-serial: MUMPS's dense kernels on OpenBLAS instead of the reference BLAS (the
# coated case's LU factorisation ~17 % faster); serial, so MPI ranks do not oversubscribe cores.
# Debian sid also pulls in libopenblas0-pthread (through libopenblas-dev), whose alternative
# outranks the serial one: one thread per BLAS call keeps it serial there too (the coated 10 nm
# paper-band test: 41 s instead of 132-153 s on 2 cores).
export OPENBLAS_NUM_THREADS ?= 1

CASE ?= configs/default.yaml
OUT ?= results/default

# OpenMPI: allowed as root (CI is root), shared-memory transport only (no TCP warning on a box
# without network interfaces), oversubscription allowed (the -n 3 tests run on 2 cores).
# Oversubscription: Open MPI 4 reads OMPI_MCA_rmaps_base_oversubscribe, Open MPI 5 (PRRTE 3)
# PRTE_MCA_rmaps_default_mapping_policy; Open MPI 6 (Debian sid) deprecates that (a warning box
# at every mpirun) for PRTE_MCA_mapby, which Open MPI 5 does not know (its -n 3 then fails to
# map). MPIRUN swaps them on Open MPI >= 6; recursive (=) so mpirun is asked only when a recipe
# runs it, after system-deps installed it.
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_rmaps_base_oversubscribe := 1
export PRTE_MCA_rmaps_default_mapping_policy := :oversubscribe
export OMPI_MCA_btl_tcp_if_include := lo
export OMPI_MCA_oob_tcp_if_include := lo
OMPI_MAJOR = $(shell mpirun --version 2>/dev/null | sed -n 's/^mpirun (Open MPI) \([0-9]*\).*/\1/p')
MPIRUN = $(if $(filter-out 1 2 3 4 5,$(or $(OMPI_MAJOR),5)),env -u PRTE_MCA_rmaps_default_mapping_policy PRTE_MCA_mapby=:oversubscribe )mpirun
# Tests that start mpirun themselves (kill / resume / faults on one rank) use the same command.
export NANOGLUE_MPIRUN = $(MPIRUN)
MPI_TIMEOUT ?= 1200
PYTEST_ARGS ?=
MPI_CURVE_TESTS := tests/mpi/test_coupled_mpi.py tests/mpi/test_cohesive_mpi.py

.PHONY: help run test test-serial test-mpi test-slow test-slurm bench system-deps apt-install venv versions clean

help:
	@echo "make run    - set up (if needed) and run $(CASE) into $(OUT)"
	@echo "make test   - set up (if needed) and run the default test suite (serial, mpirun -n 2, curves on -n 3)"
	@echo "make test-slow - the slow (fine-mesh) tests too"
	@echo "make test-slurm - a sweep on a real single-node SLURM the test starts (root; installs SLURM)"
	@echo "make bench  - time the bare and coated 6 nm cases to 70 % (BENCH_ARGS='--refine 2': mesh study)"
	@echo "Venv: $(VENV) (Debian $(DEBIAN_MAJOR))"

SLURM_PACKAGES := slurmctld slurmd slurm-client munge

system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml | system-deps
	@[ -x $(PYTHON) ] || $(SYSTEM_PYTHON) -m venv --system-site-packages $(VENV)
	@$(SYSTEM_PYTHON) -c "import numpy; print('numpy==' + numpy.__version__)" > $(VENV)/constraints.txt
	@echo "pip: installing nanoglue and its Python dependencies into $(VENV) ($$(cat $(VENV)/constraints.txt))"
	@PIP_CONSTRAINT=$(CURDIR)/$(VENV)/constraints.txt $(PYTHON) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

venv: system-deps $(STAMP)

# The stack under test (every CI stage prints it): Debian's package and what Python imports.
versions: venv
	@echo "Debian $$(cat /etc/debian_version), $$(dpkg-query -W -f='$${Package} $${Version}' python3-dolfinx)"
	@$(VENV)/bin/nanoglue --version | sed 's/^/  /'

run: venv
	$(VENV)/bin/nanoglue run $(CASE) --output $(OUT) --overwrite

test: venv versions test-serial test-mpi

test-serial: venv
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Every MPI test on 2 ranks, and the debonding-curve tests (serial vs parallel) on 3 as well.
test-mpi: venv
	timeout -k 20 $(MPI_TIMEOUT) $(MPIRUN) -n 2 $(PYTHON) -m pytest -m mpi -p no:cacheprovider --color=no $(PYTEST_ARGS) tests/mpi
	timeout -k 20 $(MPI_TIMEOUT) $(MPIRUN) -n 3 $(PYTHON) -m pytest -m mpi -p no:cacheprovider --color=no $(PYTEST_ARGS) $(MPI_CURVE_TESTS)

bench: venv
	$(PYTHON) bench/run_bench.py --out bench-out $(BENCH_ARGS)

test-slow: venv
	$(PYTHON) -m pytest -m "slow" $(PYTEST_ARGS)

# A real single-node SLURM started by the test (root; apt: slurmctld slurmd slurm-client munge):
# a skip is a failure here (.ci/run runs it on the host stage).
test-slurm: venv
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(SLURM_PACKAGES)"
	NANOGLUE_REQUIRE_SLURM=1 $(PYTHON) -m pytest -m slurm $(PYTEST_ARGS)

clean:
	rm -rf .venv results .pytest_cache
