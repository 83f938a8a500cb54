package dev.stt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;

final class Values {
  private static final int MAX_SHOWN = 120;

  private Values() {}

  /** A value as the user wrote it, short enough for a message. */
  static String show(JsonNode node) {
    String text = node.isTextual() ? node.textValue() : node.toString();
    return text.length() <= MAX_SHOWN ? text : text.substring(0, MAX_SHOWN) + "...";
  }
}
