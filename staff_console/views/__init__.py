"""The console's pages, one blueprint per part: auth (signing in and out),
home (the first page), drafts (editing, previews, review, publishing) and
history (what was published, and undoing it)."""
