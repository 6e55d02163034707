"""SQLAlchemy 2.x mapped classes, one module per domain."""

from marketplace.models.audit import AuditEvent
from marketplace.models.card import Card, CardStatus
from marketplace.models.catalogue import (
    Category,
    Course,
    CourseSession,
    CourseStatus,
    Level,
    Method,
    Module,
    Platform,
    Provider,
    SessionStatus,
)
from marketplace.models.geo import Province
from marketplace.models.ledger import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Reason,
)
from marketplace.models.mail import OutboxMail
from marketplace.models.order import Order, OrderStatus, PurchaseCode
from marketplace.models.participant import Education, Employment, Participant, Sex, mask_number
from marketplace.models.programme import (
    Application,
    Batch,
    BatchProvinceQuota,
    Outcome,
    QuestionKind,
    Scheme,
    TestAnswer,
    TestAttempt,
    TestQuestion,
)
from marketplace.models.user import Role, User

__all__ = [
    "AccountKind",
    "Application",
    "AuditEvent",
    "Batch",
    "BatchProvinceQuota",
    "Card",
    "CardStatus",
    "Category",
    "Course",
    "CourseSession",
    "CourseStatus",
    "Education",
    "Employment",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Level",
    "Method",
    "Module",
    "Order",
    "OrderStatus",
    "OutboxMail",
    "Outcome",
    "Participant",
    "Platform",
    "Province",
    "Provider",
    "PurchaseCode",
    "QuestionKind",
    "Reason",
    "Role",
    "Scheme",
    "SessionStatus",
    "Sex",
    "TestAnswer",
    "TestAttempt",
    "TestQuestion",
    "User",
    "mask_number",
]
