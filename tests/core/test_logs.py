"""No secret reaches a log line: the request lines uvicorn logs lose the values of
secret query parameters (core/logs.py)."""

from __future__ import annotations

import logging

from uvicorn.logging import AccessFormatter, DefaultFormatter

from roost.core.logs import RedactSecrets, serve_log_config

SECRETS = ["tok3n-SECRET", "c0de-SECRET", "pa55-SECRET", "cl1ent-SECRET", "r3fresh-SECRET"]


def access_record(path: str) -> logging.LogRecord:
    """A record as uvicorn's h11 protocol makes it for one request."""
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", "GET", path, "1.1", 200),
        None,
    )


def written(record: logging.LogRecord, formatter: logging.Formatter) -> str:
    assert RedactSecrets().filter(record)
    return formatter.format(record)


def test_the_access_log_line_keeps_the_request_but_not_its_secrets() -> None:
    path = (
        "/api/v1/streaming/user?stream=user&access_token=tok3n-SECRET"
        "&code=c0de-SECRET&password=pa55-SECRET&client_secret=cl1ent-SECRET"
        "&refresh_token=r3fresh-SECRET&tag=cats"
    )
    line = written(
        access_record(path),
        AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False),
    )
    assert not [secret for secret in SECRETS if secret in line]
    assert line == (
        '127.0.0.1:50000 - "GET /api/v1/streaming/user?stream=user&access_token=[FILTERED]'
        "&code=[FILTERED]&password=[FILTERED]&client_secret=[FILTERED]"
        '&refresh_token=[FILTERED]&tag=cats HTTP/1.1" 200 OK'
    )


def test_an_encoded_or_capitalized_name_is_caught_too() -> None:
    line = written(
        access_record("/api/v1/timelines/home?Access%5Ftoken=tok3n-SECRET&TOKEN=c0de-SECRET"),
        AccessFormatter('"%(request_line)s"', use_colors=False),
    )
    assert "SECRET" not in line
    assert "Access%5Ftoken=[FILTERED]" in line


def test_websocket_lines_of_the_error_log_are_redacted() -> None:
    record = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:50000", "/api/v1/streaming?stream=user&access_token=tok3n-SECRET"),
        None,
    )
    line = written(record, DefaultFormatter("%(message)s", use_colors=False))
    assert line == (
        '127.0.0.1:50000 - "WebSocket /api/v1/streaming?stream=user&access_token=[FILTERED]"'
        " [accepted]"
    )


def test_every_handler_of_the_served_config_redacts() -> None:
    for json in (False, True):
        config = serve_log_config(json=json)
        assert set(config["handlers"]) >= {"default", "access", "roost"}
        for handler in config["handlers"].values():
            # Redaction first: the fields the others add are taken from redacted text.
            assert handler["filters"][0] == "redact_secrets"
        assert config["root"]["handlers"] == ["roost"]


def test_a_json_access_line_has_the_request_parts_as_fields_and_no_secret() -> None:
    import json

    from roost.core.logs import AccessFields, json_formatter

    record = access_record("/api/v1/streaming/user?access_token=tok3n-SECRET")
    assert RedactSecrets().filter(record) and AccessFields().filter(record)
    line = json_formatter().format(record)
    assert "tok3n-SECRET" not in line
    fields = json.loads(line)
    assert fields["logger"] == "uvicorn.access"
    assert fields["method"] == "GET" and fields["status_code"] == 200
    assert fields["path"] == "/api/v1/streaming/user?access_token=[FILTERED]"
    assert "color_message" not in fields
