"""Tests of the web platform's web layer."""
