"""gunicorn settings that keep recipients out of the logs.

Run the app with::

    gunicorn -c python:funds.gunicorn_conf --workers 2 --bind 127.0.0.1:8000 'app:create_app()'

- Recipient routes (/request, /status and below) write no access line at all.
- Other routes write ``"GET /path" 200 1234 12ms``: no client address (%(h)s), no user agent
  (%(a)s), no referrer, no query string (%(q)s, %(r)s), no timestamp beyond the log's own.
- The error log goes through the same NoTrace filter as the app, which blanks anything shaped
  like an IP address (gunicorn itself writes "Invalid request from ip=..." on malformed requests).

With ``AYNI_LOG_FORMAT=json`` both logs write one JSON object per line (funds/json_logs.py).

A reverse proxy in front must be configured the same way (nginx: ``access_log off;`` for these
locations, or a log_format without $remote_addr and $http_user_agent).
"""

import os

from gunicorn.glogging import Logger

from funds.logs import install

#: paths whose requests are never written to the access log
RECIPIENT_PATHS = ("/request", "/status")

accesslog = "-"
errorlog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class NoTraceLogger(Logger):
    """gunicorn's logger, minus recipients' requests and anything that looks like an address."""

    def setup(self, cfg):
        super().setup(cfg)
        install(self.error_log)
        install(self.access_log)
        if os.environ.get("AYNI_LOG_FORMAT") == "json":
            # gunicorn's lines as JSON too, so a collector reads one format from the whole service
            from funds.json_logs import use_json

            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                use_json(handler)

    def access(self, resp, req, environ, request_time):
        path = environ.get("PATH_INFO", "") or ""
        if path.startswith(RECIPIENT_PATHS):
            return
        super().access(resp, req, environ, request_time)


logger_class = NoTraceLogger
