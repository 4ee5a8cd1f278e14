"""gunicorn settings for serving Drafter in production: ``gunicorn -c gunicorn.conf.py``.

Workers and threads come from the CPU count (gunicorn's own guidance: 2-4
workers per core; threads let a worker wait on the database while another
request runs). Every value can be overridden from the environment.
"""

import gc
import multiprocessing
import os

wsgi_app = "drafter:create_app()"
bind = os.environ.get("DRAFTER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DRAFTER_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("DRAFTER_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("DRAFTER_TIMEOUT", 60))  # long exports of a whole code stay well under this
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then; memory stays flat
max_requests_jitter = 200
accesslog = os.environ.get("DRAFTER_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("DRAFTER_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app is built in each worker after the fork, so no database connection is shared between processes.
preload_app = False
# Thresholds of Python's cyclic garbage collector in the workers ("0" keeps Python's 700,10,10).
gc_threshold = os.environ.get("DRAFTER_GC_THRESHOLD", "50000,20,10")


def tune_gc() -> None:
    """Make the cyclic garbage collector cheap for a web worker.

    A page of a 2,000-clause draft allocates enough objects to start a full
    collection on most requests, and a full collection walks every object
    the process holds (about 100 ms of a 250 ms page). So: freeze what exists
    once the app is built (imports, models, configuration: it lives as long as
    the worker: ``gc.freeze`` moves it to a generation no collection walks)
    and collect the young generation every 50,000 allocations instead of 700
    (workers are recycled after ``max_requests`` anyway). Measured in-process
    on the benchmark's record: a mix of reading pages took about a quarter
    less time, with the same peak memory.
    """
    values = tuple(int(v) for v in gc_threshold.split(",") if v.strip())
    if values == (0,) or not values:
        return
    gc.freeze()
    gc.set_threshold(*values)


def post_worker_init(worker) -> None:
    """Called by gunicorn in each worker once the app is loaded."""
    tune_gc()


def when_ready(server) -> None:
    """Warn about settings that only hold for a single process, once the master is up.

    Flask-Limiter's ``memory://`` storage counts per worker process, so with
    several workers (or several servers) each client gets that many times
    the sign-in limit; a shared Redis (``DRAFTER_RATELIMIT_STORAGE_URI``)
    counts once for all. A secret key generated into one server's instance
    folder is unknown to the others, whose sessions and forms it would not sign.
    Without ``DRAFTER_PUBLIC_URL``, e-mailed links cannot be built safely
    (see :func:`drafter.mail.public_url`).
    """
    if server.cfg.workers > 1 and os.environ.get("DRAFTER_RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        server.log.warning(
            "rate limits are counted in each of the %d worker processes separately; "
            "set DRAFTER_RATELIMIT_STORAGE_URI=redis://... to count them once",
            server.cfg.workers,
        )
    if not os.environ.get("DRAFTER_PUBLIC_URL"):
        from drafter.mail import PUBLIC_URL_MISSING

        server.log.warning(PUBLIC_URL_MISSING)
    if not os.environ.get("SECRET_KEY"):
        server.log.warning(
            "SECRET_KEY is not set: the key in the instance folder is used; "
            "give every app server the same SECRET_KEY when there are several"
        )
