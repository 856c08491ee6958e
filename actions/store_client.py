"""The action server's one client of the answer store: a LiveStore that picks
up staff edits without a restart and keeps the last good version."""
from policy_assistant.live_store import shared_store

store = shared_store()
