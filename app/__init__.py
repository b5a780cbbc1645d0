"""DefCoop: defence-industrial cooperation facts as Linked Data."""

import os

# numpy sorts hash arrays here (app/history.py) and never multiplies matrices: without this, importing it starts
# OpenBLAS's thread pool, and a build in a process with threads runs its work in one process instead of forking
# workers (app/pipeline/workers.py `forked`). Set before anything imports numpy; a value already set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
