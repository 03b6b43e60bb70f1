"""Credit models on the ledger: reading point-in-time training tables (not a Django app; no models)."""
