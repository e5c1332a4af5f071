"""What an audit entry's hash covers, in one place: `AuditEvent.save` and `facetpath audit verify` both use it.

The hash covers what the entry says happened (when, who, which clinic's chain, what, which patient and
record, from where, the detail), its place in the chain and the previous entry's hash. It leaves out the
foreign keys that the database itself clears when an account, clinic or patient is deleted (`who`,
`clinic`, `patient`): the entry keeps the name, the chain number and the patient's number instead.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Protocol

GENESIS = "0" * 64  # the "previous hash" of each chain's first entry


class Entry(Protocol):
    when: datetime
    username: str
    action: str
    patient_ref: int | None
    object_type: str
    object_id: str
    ip: str | None
    path: str
    detail: str
    chain: int
    sequence: int
    previous_hash: str


def entry_digest(entry: Entry) -> str:
    """SHA-256 of the entry's content as canonical JSON (sorted keys, UTC time to the microsecond)."""
    content = {
        "when": entry.when.astimezone(UTC).isoformat(timespec="microseconds"),
        "username": entry.username,
        "action": entry.action,
        "patient": entry.patient_ref,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "ip": entry.ip or "",
        "path": entry.path,
        "detail": entry.detail,
        "chain": entry.chain,
        "sequence": entry.sequence,
        "previous": entry.previous_hash,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()
