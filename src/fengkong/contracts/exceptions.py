"""Why a contract step is refused; the message is written for the credit manager who asked."""

from __future__ import annotations


class ContractError(Exception):
    """Base of the contract errors (a 4xx in the API, a message on the page)."""


class DocumentUnreadable(ContractError):
    """The document cannot be analysed (a scan without text, encrypted, a zip bomb, empty …; a 422)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class DocumentTooLarge(ContractError):
    """The upload is larger than CONTRACTS_MAX_UPLOAD_BYTES (a 413)."""


class WrongStatus(ContractError):
    """The contract is not in a status that allows the step (a 409)."""


class OwnContract(ContractError):
    """Nobody approves a contract they registered or submitted (a 403)."""


class ApprovalLevel(ContractError):
    """The contract's value needs an approver with a higher level (a 403)."""


class ChecklistIncomplete(WrongStatus):
    """The due-diligence checklist has items not signed off (a 409)."""


class EvidenceMissing(ContractError):
    """An item cannot be signed off without its evidence (a 422)."""
