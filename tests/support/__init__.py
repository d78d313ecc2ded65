"""Test support: the Slack emulator, the request builder, the bot process and shared fixtures; bench imports it too."""
