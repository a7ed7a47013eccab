"""Domain errors. Services raise these; app.py maps each to one HTTP status."""

from __future__ import annotations


class RoostError(Exception):
    status_code = 400

    def __init__(self, message: str, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(RoostError):
    status_code = 400


class Unauthorized(RoostError):
    status_code = 401


class Forbidden(RoostError):
    status_code = 403


class NotFound(RoostError):
    status_code = 404

    def __init__(self, message: str = "Record not found") -> None:
        super().__init__(message)


class Conflict(RoostError):
    status_code = 409


class PayloadTooLarge(RoostError):
    status_code = 413


class Unprocessable(RoostError):
    status_code = 422


class RateLimited(RoostError):
    status_code = 429
