package dev.stt.local.train;

/** Data the local runner cannot read; the message names the dataset entry, file and row. */
public class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }
}
