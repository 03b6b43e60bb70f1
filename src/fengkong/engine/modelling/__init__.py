"""Credit models on any tabular data: an explainable WOE scorecard and a LightGBM challenger.

Pure computation (polars, numpy, and the libraries that need pandas: optbinning); no Django, no files, no
clock. The flow is `train.train_models` (a frame and the moment of the run in) → `model_dir.metadata`, the
models' `to_dict`/`model_text` (values out) → `model_dir.LoadedModel` → `model_dir.predict`. Reading data
files and writing or reading model directories is `fengkong.scoring.storage`'s; ledger features,
payment-delay models and the registry build frames and call the same API.
"""

from .exceptions import DataError, ModelDirError, ModellingError, TargetError

__all__ = ["DataError", "ModelDirError", "ModellingError", "TargetError"]
