"""Tools for developers and tests, never loaded by the running assistant:
starting the real servers, evaluating the NLU on held-out questions, the
benchmark."""
