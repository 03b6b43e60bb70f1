"""What a preset is (its catalogue is in the package's __init__) and what its rules make of a batch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..mapping import parse_mapping_text
from ..sources import ROW, Table

FOLDER = Path(__file__).resolve().parent
CODE_LENGTH = 40  # customers.Customer.code


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    erp: str  # what the user knows it as: the ERP and its menu
    signature: tuple[str, ...]  # headers that together identify the layout
    rules: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # what a rule reads: role → header in the file
    payment_types: tuple[str, ...] = ()  # values of the "type" column that are receipts, not credit notes
    drop_statuses: tuple[str, ...] = ()
    foreign_columns: tuple[str, ...] = ()  # document-currency columns left out (company_currency)
    party_is_name: bool = False  # the customer column holds a name, not an ID: codes follow CODE RULE

    @property
    def mapping_file(self) -> Path:
        return FOLDER / f"{self.name}.toml"

    def mapping(self) -> dict:
        return parse_mapping_text(self.mapping_file.read_text(encoding="utf-8"))


def customer_code(name: str) -> str:
    """CODE RULE for a customer known by name only: the name itself, or, when longer than the 40 characters
    a code may have, its first 31 characters, "~" and the first 8 hex digits of the name's SHA-1."""
    if len(name) <= CODE_LENGTH:
        return name
    return f"{name[:31]}~{hashlib.sha1(name.encode('utf-8'), usedforsecurity=False).hexdigest()[:8]}"


@dataclass
class Prepared:
    """One batch after the preset's rules: its invoice rows, the rows kept aside as credit balances (kind,
    table, field → header), the parties named (code, name, ROW) and what the rules did (counts)."""

    table: Table
    aside: list[tuple[str, Table, dict[str, str]]] = field(default_factory=list)
    notes: dict[str, int] = field(default_factory=dict)

    def parties(self, headers: dict[str, str], name_header: str | None) -> pl.DataFrame:
        """(ROW, code, name) of every row naming a customer, invoices and credit balances alike."""
        parts = []
        for table, fields in [(self.table, headers), *((t, f) for _k, t, f in self.aside)]:
            code = fields.get("customer_code")
            if code is None or code not in table.frame.columns:
                continue
            name = "~party" if "~party" in table.frame.columns else (
                name_header if name_header in table.frame.columns else code)
            parts.append(table.frame.select(pl.col(ROW), pl.col(code).alias("code"),
                                            pl.coalesce(pl.col(name), pl.col(code)).alias("name")))
        frame = pl.concat(parts) if parts else pl.DataFrame(schema={ROW: pl.Int64, "code": pl.String,
                                                                    "name": pl.String})
        return frame.drop_nulls("code").unique("code", keep="first", maintain_order=True)
