"""Why a change to the ledger is refused: the base of the receivables errors.

Nothing raises one yet (receivables has no action, see receivables.actions); reads that find nothing answer
404 in the API. A refusal a ledger action comes to make is a subclass here, with a message written for a
credit manager.
"""

from __future__ import annotations


class ReceivablesError(Exception):
    """Base of the receivables errors."""
