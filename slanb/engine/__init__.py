"""The numbers: a connection and named options in, frozen results out; no words, no files."""
