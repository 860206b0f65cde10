"""Page models: the data of each page as plain dicts/DataFrames, shared by HTML, JSON and CSV."""
