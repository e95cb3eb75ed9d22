"""HTTP API v1: one router per resource, all thin over ``NotaryService``."""
