"""Sample job ads for the job-ad tests: a developer platform, internal tools, recommendations."""

PLATFORM_AD = """Senior Product Manager, Developer Platform

You will own our public APIs and SDKs, used by thousands of third-party developers and partners.
- Drive versioning and deprecation policy; manage breaking changes with integrators
- Define success metrics for developer experience
"""
INTERNAL_AD = ("We need a PM for the internal tools our engineering teams rely on every day. "
               "You will balance competing requests from stakeholders across the company.")
RECS_AD = "Join the recommendations team of our consumer app: personalization, ranking and machine learning."
