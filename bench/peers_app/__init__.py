"""The audit libraries `bench/peers.py` compares tracking with, each one recording a child's
points change its own way. Loaded only by `bench.peers_settings`, in the throwaway environment
the benchmark builds: the project itself never installs these libraries."""
