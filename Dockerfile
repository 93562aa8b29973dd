# nanoglue on the official DOLFINx image of the version we test (0.9.0).
#
# That image is Ubuntu with MPICH, numpy 2 and its own Python environment (/dolfinx-env, on
# PATH) holding DOLFINx, petsc4py and mpi4py; Gmsh's Python API is in /usr/local/lib (on
# PYTHONPATH). So, unlike on Debian, nothing comes from apt except the X/GL client libraries that
# VTK (pyvista's off-screen PNGs) links against, and nanoglue goes into that environment with pip,
# numpy pinned to the image's own version exactly as the Makefile pins it to Debian's.
#
# NOT built by our CI (no Docker engine runs there); CI tests the same package on Debian's 0.5.2
# and 0.9.0. Build and use:
#   docker build -t nanoglue .
#   docker run --rm -v "$PWD:/work" nanoglue run configs/default.yaml -o results/default
#   docker run --rm --entrypoint mpirun nanoglue -n 2 nanoglue run /opt/nanoglue/configs/default.yaml -o /tmp/out
FROM ghcr.io/fenics/dolfinx/dolfinx:v0.9.0

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
 && python3 -c "import dolfinx, gmsh, nanoglue.fem.compat; print('dolfinx', dolfinx.__version__)"

WORKDIR /work
ENTRYPOINT ["nanoglue"]
CMD ["--help"]
