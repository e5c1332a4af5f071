"""The audit trail: one row for every read and write of patient data. Never edited from the app.

Each clinic's rows form a hash chain (facetpath.audit.chain): a row carries the SHA-256 of its own content
and of the row before it in the same clinic, and `ChainHead` keeps the newest, so an edited, deleted or
inserted row shows up in `facetpath audit verify`. The chain is per clinic so that one clinic's trail can be
checked, exported or restored on its own; rows of no clinic (a failed sign-in for an unknown name) have a
chain of their own (0).
"""

# ruff: noqa: RUF012  (Django's declarative Meta/admin/form attributes are class-level by design)

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from facetpath.audit.digest import GENESIS, entry_digest


class AuditEvent(models.Model):
    """Written with `AuditEvent.objects.create` (or save): bulk_create skips save(), so its rows would carry
    no hash and `audit verify` would report them."""

    # default, not auto_now_add: the time is part of the hashed content, so it is set before hashing.
    when = models.DateTimeField(default=timezone.now, db_index=True)
    who = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept in case the account is deleted.")
    clinic = models.ForeignKey("clinics.Clinic", null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=32)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    patient_ref = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The patient's record number in this database, kept when the patient row is deleted: "
        "it identifies nobody outside the clinic's own records.",
    )
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    # The chain: the clinic's id (0 without a clinic) kept as a plain number, so that deleting a clinic does
    # not move its rows; their place in it; the previous row's hash and this row's.
    chain = models.BigIntegerField(default=0)
    sequence = models.BigIntegerField(default=0)
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-when", "-id"]
        indexes = [models.Index(fields=["clinic", "-when"])]
        constraints = [models.UniqueConstraint(fields=["chain", "sequence"], name="one_entry_per_place")]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            super().save(*args, **kwargs)
            return
        # In the transaction of the change the entry records (no savepoint of its own: an entry that cannot
        # be written fails that change), with the chain's head locked until it commits: a second writer
        # waits at the lock and then chains onto this entry. SQLite needs no lock: its transactions begin
        # IMMEDIATE (facetpath.settings), one writer at a time.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            head = self.link_to_chain()
            super().save(*args, **kwargs)
            head.save(update_fields=["sequence", "entry_hash"])

    def link_to_chain(self) -> ChainHead:
        """Takes the next place in the clinic's chain and hashes the entry; returns the moved head."""
        self.when = self.when or timezone.now()
        if self.patient_id is not None:
            self.patient_ref = self.patient_id
        self.chain = self.clinic_id or 0
        # As the database will hold it (an IPv6 address in its short form), so the hash is of what is stored.
        self.ip = _IP_AS_STORED.get_prep_value(self.ip or None)
        head = ChainHead.objects.select_for_update().filter(chain=self.chain).first() or _new_head(self.chain)
        self.sequence = head.sequence + 1
        self.previous_hash = head.entry_hash or GENESIS
        self.entry_hash = entry_digest(self)
        head.sequence, head.entry_hash = self.sequence, self.entry_hash
        return head


_IP_AS_STORED = models.GenericIPAddressField()  # only its conversion is used


def _new_head(chain: int) -> ChainHead:
    """A chain's first entry makes its head; two first entries at once meet at its primary key."""
    try:
        with transaction.atomic():
            ChainHead.objects.create(chain=chain)
    except IntegrityError:
        pass  # the other writer made it: wait for its lock like any later entry
    return ChainHead.objects.select_for_update().get(chain=chain)


class ChainHead(models.Model):
    """The newest entry of one chain: writers lock this row, so two never chain onto the same entry, and
    `audit verify` compares it with the last row it finds (a deleted newest row shows too)."""

    chain = models.BigIntegerField(primary_key=True)
    sequence = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"chain {self.chain} at {self.sequence}"
