"""Credit models on the ledger: training tables, the model registry, champion scoring and the cash forecast."""
