"""Harnesses for development and tests: a simulated candidate and a local LiveKit server.

They drive the real pipeline (real models, a real server binary) but serve
no candidate themselves: the worker and the web app never import them. The
demo and the benchmarks use them to speak answers into a round without a
person at a microphone.
"""
