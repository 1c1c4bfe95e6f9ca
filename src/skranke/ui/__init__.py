"""The Textual application. Talks to services only, never to the store."""
