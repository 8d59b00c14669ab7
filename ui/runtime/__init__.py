"""The server side: process set-up, routing, shared caches, training runs."""
