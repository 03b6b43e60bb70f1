"""Credit models on any tabular data: an explainable WOE scorecard and a LightGBM challenger.

Pure computation (polars, numpy, and the libraries that need pandas: optbinning); no Django. The flow is
`data.read_table` → `train.train_models` → `model_dir.save` / `model_dir.load` → `model_dir.predict`.
Later work (ledger features, payment-delay models, the registry) builds frames and calls the same API.
"""

from .exceptions import DataError, ModelDirError, ModellingError, TargetError

__all__ = ["DataError", "ModelDirError", "ModellingError", "TargetError"]
