package dev.stt.local.model;

/** A model directory, config or checkpoint the local runner cannot use; the message says why and what to do. */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
