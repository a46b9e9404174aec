"""Mutation fuzzing of every reader and of the whole parse + check path."""
