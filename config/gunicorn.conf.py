"""gunicorn settings for the web processes of the production layout (README.md, "Production
layout"): `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be changed by its environment variable, so one file serves every machine. The
app's own settings (DATABASE_URL, SECRET_KEY, ...) come from the environment as usual; gunicorn
only needs these.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where the reverse proxy (which terminates TLS) sends requests. 0.0.0.0:8000 inside a container.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes: GUNICORN_WORKERS, else gunicorn's WEB_CONCURRENCY, else 2 per core + 1. Each has
# GUNICORN_THREADS threads (gthread): a request waiting on the database does not hold a whole
# process, and the threaded worker keeps idle connections open (the sync worker cannot).
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)

# Seconds an idle client connection is kept open. Behind a proxy that reuses its upstream
# connections, make it longer than the proxy's idle timeout, or the proxy may send a request on
# a connection gunicorn is closing at that moment.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# A worker process that stops answering the master for this long (stuck, not just busy: its
# threads serve while its main loop reports) is killed and replaced; on shutdown or reload,
# requests in progress get graceful_timeout seconds to finish.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)

# Each worker is replaced after about this many requests (spread by the jitter, so they do not
# all restart at once): memory a long-lived process gathers is given back. 0 switches it off.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Access log to stdout, errors to stderr: the service manager (systemd, a container runtime)
# collects both. The access line ends with the time taken, in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The proxy addresses whose X-Forwarded-* headers gunicorn believes (the proxy on this machine
# by default). Django decides whether a request was https from SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
