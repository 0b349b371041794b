"""Institution staff: who may moderate postings and run a tenant.

Each staff member belongs to one tenant and sees nothing of another. The e-mail address is
unique across tenants, so sign-in needs nothing but the address and the password.
"""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.tenants.models import Tenant

# moderator: the moderation queue and the partner sources (read-only); admin: the same, plus the
# tenant's settings and its team (invite, deactivate, send a password link).
STAFF_ROLES = ("admin", "moderator")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower case
    # argon2id, in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))  # one of STAFF_ROLES
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Copied into the session cookie at sign-in and compared on every request: signing out
    # changes it, which ends every session of this person (a copied cookie stops working).
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tenant: Mapped[Tenant] = relationship()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role}>"
