"""The project's own spaCy pipeline (built from config and data in this folder)
and the Rasa component that loads it."""
