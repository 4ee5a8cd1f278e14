"""gunicorn settings for serving Drafter in production: ``gunicorn -c gunicorn.conf.py``.

Workers and threads come from the CPU count (gunicorn's own guidance: 2-4
workers per core; threads let a worker wait on the database while another
request runs). Every value can be overridden from the environment.
"""
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
