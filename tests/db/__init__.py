"""Tests of the web platform's db layer."""
