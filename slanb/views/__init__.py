"""How a reader sees an SLA month: one vocabulary (formats, sentences, colours) for every surface."""
