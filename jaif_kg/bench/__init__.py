"""The benchmark (``python -m jaif_kg.bench.run``), its worker processes, the soak under hostile
load (``python -m jaif_kg.bench.soak``) and the synthetic data they measure on."""
