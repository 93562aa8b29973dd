# nanoglue on the official DOLFINx image of the newest version we test (0.11.0).
#
# That image (docker/Dockerfile.test-env and .end-user at FEniCS/dolfinx v0.11.0) is Ubuntu 24.04
# with MPICH, numpy 2.4.6 and its own Python environment (/dolfinx-env, on PATH) holding DOLFINx,
# PETSc 3.25 / petsc4py and mpi4py; Gmsh 4.15.2's Python API is in /usr/local/lib (on
# PYTHONPATH) — the numpy and Gmsh of the Debian sid root CI tests 0.11 in. So, unlike on
# Debian, nothing comes from apt except the X/GL client libraries that VTK (pyvista's off-screen
# PNGs) links against, and nanoglue goes into that environment with pip, numpy pinned to the
# image's own version exactly as the Makefile pins it to Debian's.
#
# NOT built by our CI (no Docker engine runs there). Its steps are the ones CI's sid stage runs
# (`make venv`: the X/GL client libraries, then `pip install -e '.[test]'` with numpy pinned to
# the environment's own) on the same DOLFINx 0.11 (Debian's python3-dolfinx, Open MPI there,
# MPICH here). Build and use:
#   docker build -t nanoglue .
#   docker run --rm -v "$PWD:/work" nanoglue run configs/default.yaml -o results/default
#   docker run --rm --entrypoint mpirun nanoglue -n 2 nanoglue run /opt/nanoglue/configs/default.yaml -o /tmp/out
FROM ghcr.io/fenics/dolfinx/dolfinx:v0.11.0

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgl1 libegl1 libxrender1 libxcursor1 libxft2 libxinerama1 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/nanoglue
COPY pyproject.toml README.md ./
COPY nanoglue ./nanoglue
COPY configs ./configs
COPY tests ./tests
RUN python3 -c "import numpy; print('numpy==' + numpy.__version__)" > /tmp/numpy-pin.txt \
 && PIP_CONSTRAINT=/tmp/numpy-pin.txt python3 -m pip install --no-cache-dir '.[test]' \
 && python3 -c "import dolfinx, gmsh, nanoglue.fem.compat; print('dolfinx', dolfinx.__version__)" \
 && nanoglue --version

WORKDIR /work
ENTRYPOINT ["nanoglue"]
CMD ["--help"]
