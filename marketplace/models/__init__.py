"""SQLAlchemy 2.x mapped classes, one module per domain."""

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
from marketplace.models.user import Role, User

__all__ = [
    "Category",
    "Course",
    "CourseSession",
    "CourseStatus",
    "Level",
    "Method",
    "Module",
    "Platform",
    "Province",
    "Provider",
    "Role",
    "SessionStatus",
    "User",
]
