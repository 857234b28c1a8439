"""The index: store, vectors, lexical engine, segments, writer, reader."""
