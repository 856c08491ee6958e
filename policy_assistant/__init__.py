"""Plain Python behind the assistant: the answer store, answers, languages."""
