"""Pools: the funds donors give to and committees grant from."""
