"""Fakes shared by tests: each stands in for one real piece and is named as a fake where it is one."""
