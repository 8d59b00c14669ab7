"""Numerical plumbing shared by all: BLAS threads, argument checks, overflow-safe norms."""
