"""The test suite (a package, so that tests import their helpers as `from .conftest import …`).

One BLAS thread per test process: the tests' matrices are small, and on a shared 2-core machine OpenBLAS's threads
make a small least-squares fit tens of times slower. This package is imported before conftest.py, so the limits
are set before numpy is first loaded; a value already in the environment wins.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
