"""HSDS 3.0 (Open Referral Human Services Data Specification) API over the public directory."""
