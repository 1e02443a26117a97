"""Stories: what makes an item relevant (match) and what it claims (extract)."""
