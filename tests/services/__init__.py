"""Tests of the web platform's services layer."""
