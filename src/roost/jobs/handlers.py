"""Imports every module that registers job handlers, so a runner knows them all."""

import roost.timelines.fanout  # noqa: F401
