"""Tests of the chat web page in real headless Chromium."""
