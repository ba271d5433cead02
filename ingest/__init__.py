"""Turns files into chunks and indexes: loaders, cleaning, chunking, embedders, stores, and the run (pipeline:
walk, journal, versions). The bottom layer, importing nothing from assistant: it also holds the settings and the
primitives every layer shares (articles, numerals, cleaning, data_dir, vocabulary: what the index needs of the
knowledge pack)."""
