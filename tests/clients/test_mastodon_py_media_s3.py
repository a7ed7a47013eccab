"""Mastodon.py uploading media to a live server that keeps its files in S3 (a moto
server on loopback, spoken to over HTTP); the files are fetched from the bucket."""

from __future__ import annotations

import os

import pytest

from tests.clients import media_steps
from tests.clients.helpers import SignUp
from tests.conftest import s3_client, s3_settings


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str) -> str:
    name = f"roost-live-{os.getpid()}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def live_server_env(s3_endpoint: str, bucket: str) -> dict[str, str]:
    return {
        f"ROOST_{name.upper()}": value for name, value in s3_settings(s3_endpoint, bucket).items()
    }


def stored(s3_endpoint: str, bucket: str) -> list[str]:
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_media_post_update_and_read_back_on_s3(
    sign_up: SignUp, s3_endpoint: str, bucket: str
) -> None:
    url = media_steps.upload_describe_and_read_back(sign_up("s3alice"), sign_up("s3bob"))
    assert url.startswith(f"{s3_endpoint}/{bucket}/media_attachments/")
    assert url.removeprefix(f"{s3_endpoint}/{bucket}/") in stored(s3_endpoint, bucket)


def test_a_large_upload_and_a_gif_on_s3(sign_up: SignUp, s3_endpoint: str, bucket: str) -> None:
    alice = sign_up("s3carol")
    url = media_steps.large_upload_is_processed_later(alice)
    assert url.startswith(f"{s3_endpoint}/{bucket}/")
    media_steps.animated_gif_becomes_gifv(alice)
    media_steps.bad_file_is_refused(alice)
    assert not any(key.startswith("incoming/") for key in stored(s3_endpoint, bucket))
