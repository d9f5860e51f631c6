"""The live event stream: channels, stored events and their delivery, the stream view, its
schema and the live page."""
