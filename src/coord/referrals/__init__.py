"""Referrals that close the loop (issue 17, points 6 to 8)."""
