"""The query worker processes: the pool that runs queries under a time limit (:mod:`.pool`) and
the kernel sandbox and memory limit that confine each worker (:mod:`.sandbox`)."""
