"""The lifecycle evaluator ``lifecycle-preview`` uses where ECR's preview API is missing.

It lives in ``ecr_spec.lifecycle_evaluation`` (pure Python) so that image-pipeline and the sandbox's
lifecycle preview API run ONE evaluator; this module re-exports it for existing callers.
"""
from ecr_spec.lifecycle_evaluation import (Image, Verdict, candidates, evaluate, image_from_detail, matches,
                                           matches_tags, preview_results, preview_summary, reference_time,
                                           selected_storage_class)

__all__ = ["Image", "Verdict", "candidates", "evaluate", "image_from_detail", "matches", "matches_tags",
           "preview_results", "preview_summary", "reference_time", "selected_storage_class"]
