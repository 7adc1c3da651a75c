"""gunicorn settings (read from the working directory, /app in the image): the access log goes
to stdout with the tokens of client links redacted (smartcoop.core.logging.GunicornLogger)."""

import os

bind = "0.0.0.0:8000"
# One process per request in flight: about 2 per core of the web host (docs/scaling.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
logger_class = "smartcoop.core.logging.GunicornLogger"
# Behind the TLS proxy the log shows the client's address the proxy appended, not the proxy's.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
