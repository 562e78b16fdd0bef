from .arrangement import Arrangement, ConditionsVersion, Exclusion, Opening
from .documents import MANDATORY_TYPES, Document, DocumentType
from .enrolment import (
    Application,
    ApplicationAnswer,
    ApplicationTransition,
    DeclarationQuestion,
    Enrolment,
)
from .lots import Lot
from .profiles import ProviderProfile
from .quality import COMPONENTS, QualityScore, QualityWeights
from .services import OfstedRating, RatingProposal, Service, Specialism

__all__ = [
    "COMPONENTS",
    "MANDATORY_TYPES",
    "Application",
    "ApplicationAnswer",
    "ApplicationTransition",
    "Arrangement",
    "ConditionsVersion",
    "DeclarationQuestion",
    "Document",
    "DocumentType",
    "Enrolment",
    "Exclusion",
    "Lot",
    "OfstedRating",
    "Opening",
    "ProviderProfile",
    "QualityScore",
    "QualityWeights",
    "RatingProposal",
    "Service",
    "Specialism",
]
