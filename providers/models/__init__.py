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
    "DeclarationQuestion",
    "Document",
    "DocumentType",
    "Enrolment",
    "Lot",
    "OfstedRating",
    "ProviderProfile",
    "QualityScore",
    "QualityWeights",
    "RatingProposal",
    "Service",
    "Specialism",
]
