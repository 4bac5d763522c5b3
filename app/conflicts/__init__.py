"""回避 — conflict-of-interest checks of experts against a panel's purchaser, bidders and project."""
