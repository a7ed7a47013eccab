"""What an upload may be, in one place: the checks use these numbers and the instance
tells apps the same ones (``configuration``, read by ``GET /api/v1/instance`` and v2)."""

from __future__ import annotations

from typing import Any

from limits import RateLimitItem, parse

from roost.core.settings import Settings
from roost.media import gifv
from roost.media.processing import FORMATS, MAX_PIXELS

MAX_ATTACHMENTS = 4  # per post, as Mastodon
MAX_DESCRIPTION = 1_500  # characters of alt text, as Mastodon
SUPPORTED_MIME_TYPES = [content_type for content_type, _ in FORMATS.values()]
# Multipart framing and the text fields beside the file (the description is at most
# 1,500 characters of up to 4 bytes each), on top of the file's own limit.
FORM_OVERHEAD = 64 * 1024


UPLOAD_RULE = "media_upload"  # the rate limiter's rule: files per hour per account


def rate_rules(settings: Settings) -> dict[str, RateLimitItem]:
    """The rate limiter's media rules, set by the settings (``Runtime`` hands them in)."""
    return {UPLOAD_RULE: parse(f"{settings.media_uploads_per_hour}/hour")}


def megabytes(size: int) -> str:
    """A size as people read it: "16 MB" (MiB, as Mastodon says it), or bytes below one."""
    mib = size / (1024 * 1024)
    return f"{mib:g} MB" if mib >= 1 else f"{size:,} bytes"


def upload_body_limit(settings: Settings) -> int:
    """The largest request body the upload routes read (``core/limits.RequestLimits``)."""
    return settings.media_max_bytes + FORM_OVERHEAD


def configuration(settings: Settings) -> dict[str, Any]:
    """``configuration.media_attachments`` of the Instance entity. Roost takes pictures
    only; its one moving kind is the gifv made from an animated GIF, so the video
    limits are those of that path: the same file size, the GIF's pixel limit, and the
    frame rate the MP4 is made at most."""
    return {
        "supported_mime_types": SUPPORTED_MIME_TYPES,
        "image_size_limit": settings.media_max_bytes,
        "image_matrix_limit": MAX_PIXELS,
        "video_size_limit": settings.media_max_bytes,
        "video_frame_rate_limit": gifv.MAX_FPS,
        "video_matrix_limit": MAX_PIXELS,
        "description_limit": MAX_DESCRIPTION,
    }
