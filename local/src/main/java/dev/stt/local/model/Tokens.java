package dev.stt.local.model;

/** A tokenized, right-padded batch: row-major [batch, length] ids, token types and attention mask. */
record Tokens(int batch, int length, long[] ids, long[] typeIds, long[] mask) {}
