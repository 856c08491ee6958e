"""What the Rasa server loads from this project: its input channels (REST with
a guaranteed reply, and the web chat page) and a tracker store that forgets."""
