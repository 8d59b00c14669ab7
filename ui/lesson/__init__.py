"""The guided lesson: its steps (data) and the cached pictures of its views."""
