"""What the processing pool runs for an attachment: a picture, or an animated GIF.

``process_attachment`` is the one entry point for uploads (``service.py`` hands it to
``runner.ProcessingPool``): bytes in, the files to keep and their ``meta`` out, or
``RejectedMedia`` with the reason. A GIF with more than one frame becomes a ``gifv``
(``gifv.py``); any other picture (a single-frame GIF included) an ``image``
(``processing.process_image``: upright, metadata-free, shrunk, with a preview).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roost.media.gifv import transcode
from roost.media.processing import Variant, open_image, process_image


@dataclass(frozen=True)
class ProcessedMedia:
    type: str  # "image" or "gifv"
    original: Variant
    small: Variant
    blurhash: str
    meta: dict[str, Any]  # the MediaAttachment ``meta`` but its focus


def process_attachment(data: bytes) -> ProcessedMedia:
    image = open_image(data)
    if image.format == "GIF" and getattr(image, "is_animated", False):
        gifv = transcode(image)
        return ProcessedMedia("gifv", gifv.video, gifv.small, gifv.blurhash, gifv.meta())
    processed = process_image(data)
    meta = {"original": processed.original.meta(), "small": processed.small.meta()}
    return ProcessedMedia("image", processed.original, processed.small, processed.blurhash, meta)
