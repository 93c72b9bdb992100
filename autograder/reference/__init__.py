"""Reference implementations, one module per lesson. Plain numpy, float64."""
