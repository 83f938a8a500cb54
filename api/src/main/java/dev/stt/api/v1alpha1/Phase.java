package dev.stt.api.v1alpha1;

public enum Phase {
  Pending, Running, Restarting, Succeeded, Failed, Suspended;

  public boolean isFinished() {
    return this == Succeeded || this == Failed;
  }
}
