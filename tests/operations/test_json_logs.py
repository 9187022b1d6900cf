"""A log collector reads JSON lines (AYNI_LOG_FORMAT=json) that name no one."""

from __future__ import annotations

import io
import json
import logging

from funds.json_logs import use_json

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (Linux; Android 9; cheap-phone-model-x)"


def test_a_json_log_line_carries_no_address_or_user_agent(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    use_json(handler)
    logger = logging.getLogger("funds.operations.test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with app.test_request_context("/status", environ_base={"REMOTE_ADDR": ADDRESS}, headers={"User-Agent": AGENT}):
            logger.warning("a request from %s with %s", ADDRESS, AGENT)
            try:
                raise ValueError(f"refused {ADDRESS}")
            except ValueError:
                logger.exception("it went wrong for 2001:db8::42")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["WARNING", "ERROR"]
    assert lines[0]["logger"] == "funds.operations.test" and lines[0]["time"].endswith("+00:00")
    assert "ValueError" in lines[1]["exception"]
    text = stream.getvalue()
    assert ADDRESS not in text and AGENT not in text and "2001:db8::42" not in text
    assert "[redacted]" in lines[0]["message"]
