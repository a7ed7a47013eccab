"""Request parameters of the streaming endpoints."""

from __future__ import annotations

from pydantic import BaseModel


class StreamParams(BaseModel):
    stream: str | None = None  # /api/v1/streaming?stream=user
    tag: str | None = None  # hashtag streams
    list: str | None = None  # the list stream: the list's id
    only_media: bool = False  # public streams: only posts with media
