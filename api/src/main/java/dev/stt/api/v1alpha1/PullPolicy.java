package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum PullPolicy {
  @JsonProperty("Always") ALWAYS("Always"),
  @JsonProperty("IfNotPresent") IF_NOT_PRESENT("IfNotPresent"),
  @JsonProperty("Never") NEVER("Never");

  private final String value;

  PullPolicy(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }
}
