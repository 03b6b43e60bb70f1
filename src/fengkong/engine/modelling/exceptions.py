"""Errors of the modelling tool. Each names the column and the values found, so the CLI can show it as is."""

from __future__ import annotations


class ModellingError(ValueError):
    """Bad input for training or scoring: the user can fix it (the CLI exits with code 2)."""


class DataError(ModellingError):
    """The file cannot be read, or its columns do not fit what was asked."""


class TargetError(DataError):
    """The target column is missing, not binary, of one class only, or has too few rows."""


class ModelDirError(ModellingError):
    """A model directory is missing, incomplete or of an unknown format version."""
