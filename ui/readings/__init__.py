"""Plain-words readings under the charts, each a small pure function of the numbers it states."""
