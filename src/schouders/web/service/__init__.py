"""Data behind the pages: thin, cached views over the warehouse and the indicator engine."""
