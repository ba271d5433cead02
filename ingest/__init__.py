"""Turns files into chunks and indexes: loaders, cleaning, chunking, embedders, stores, pipeline."""
