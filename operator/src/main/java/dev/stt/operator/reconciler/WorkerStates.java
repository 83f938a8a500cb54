package dev.stt.operator.reconciler;

import dev.stt.operator.render.Labels;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The workers of one attempt, read from their pods. */
record WorkerStates(int expected, Map<Integer, Pod> byIndex) {
  /** The trainer exits 2 when train.json is invalid: retrying cannot help. */
  static final int INVALID_CONFIGURATION_EXIT_CODE = 2;
  private static final int MAX_MESSAGE = 512;

  /** Why a worker stopped: a Kubernetes reason (OOMKilled, Evicted, Error, WorkerLost) and the trainer's words. */
  record Failure(int index, String reason, Integer exitCode, String message) {
    boolean invalidConfiguration() {
      return exitCode != null && exitCode == INVALID_CONFIGURATION_EXIT_CODE;
    }

    String describe(String podName) {
      return podName + " " + reason + (exitCode == null ? "" : " (exit code " + exitCode + ")")
          + (message == null || message.isBlank() ? "" : ": " + message);
    }
  }

  static WorkerStates of(int expected, List<Pod> pods) {
    Map<Integer, Pod> byIndex = new TreeMap<>();
    for (Pod pod : pods) {
      String index = pod.getMetadata().getLabels().get(Labels.WORKER_INDEX);
      if (index != null && index.matches("\\d+") && Integer.parseInt(index) < expected) {
        byIndex.put(Integer.parseInt(index), pod);
      }
    }
    return new WorkerStates(expected, byIndex);
  }

  List<Integer> missing() {
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < expected; i++) {
      if (!byIndex.containsKey(i)) {
        missing.add(i);
      }
    }
    return missing;
  }

  int running() {
    return count("Running");
  }

  int succeeded() {
    return count("Succeeded");
  }

  int failed() {
    return (int) byIndex.values().stream().filter(p -> failure(-1, p).isPresent()).count();
  }

  int active() {
    return (int) byIndex.values().stream().filter(p -> !finished(p)).count();
  }

  boolean allSucceeded() {
    return succeeded() == expected;
  }

  boolean allRunning() {
    return running() == expected;
  }

  /** The failure that decides what happens next: an invalid configuration on any worker, else the first. */
  Optional<Failure> firstFailure() {
    List<Failure> failures = byIndex.entrySet().stream().map(e -> failure(e.getKey(), e.getValue()))
        .flatMap(Optional::stream).toList();
    return failures.stream().filter(Failure::invalidConfiguration).findFirst().or(() -> failures.stream().findFirst());
  }

  /** Why workers are not running yet, e.g. unschedulable or an image pull error; empty when nothing is wrong. */
  Optional<String> waitingReason() {
    for (Pod pod : byIndex.values()) {
      if (pod.getStatus() == null) {
        continue;
      }
      var unschedulable = pod.getStatus().getConditions() == null ? Optional.<String>empty()
          : pod.getStatus().getConditions().stream()
              .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
              .map(c -> pod.getMetadata().getName() + " cannot be scheduled: " + c.getMessage()).findFirst();
      if (unschedulable.isPresent()) {
        return unschedulable;
      }
      for (ContainerStatus cs : containerStatuses(pod)) {
        ContainerStateWaiting waiting = cs.getState() == null ? null : cs.getState().getWaiting();
        if (waiting != null && waiting.getReason() != null && !"ContainerCreating".equals(waiting.getReason())
            && !"PodInitializing".equals(waiting.getReason())) {
          return Optional.of(pod.getMetadata().getName() + " " + waiting.getReason()
              + (waiting.getMessage() == null ? "" : ": " + truncate(waiting.getMessage())));
        }
      }
    }
    return Optional.empty();
  }

  static boolean finished(Pod pod) {
    String phase = phase(pod);
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private int count(String phase) {
    return (int) byIndex.values().stream().filter(p -> phase.equals(phase(p))).count();
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static Optional<Failure> failure(int index, Pod pod) {
    if (!"Failed".equals(phase(pod))) {
      return Optional.empty();
    }
    for (ContainerStatus cs : containerStatuses(pod)) {
      ContainerStateTerminated terminated = cs.getState() == null ? null : cs.getState().getTerminated();
      if (terminated != null && (terminated.getExitCode() == null || terminated.getExitCode() != 0)) {
        String reason = terminated.getReason() == null ? "Error" : terminated.getReason();
        return Optional.of(new Failure(index, reason, terminated.getExitCode(), truncate(terminated.getMessage())));
      }
    }
    // Evicted, node lost, deadline: the pod failed without a container verdict.
    String reason = pod.getStatus().getReason() == null ? "Failed" : pod.getStatus().getReason();
    return Optional.of(new Failure(index, reason, null, truncate(pod.getStatus().getMessage())));
  }

  private static List<ContainerStatus> containerStatuses(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of()
        : pod.getStatus().getContainerStatuses();
  }

  static String truncate(String message) {
    if (message == null) {
      return null;
    }
    String trimmed = message.strip();
    return trimmed.length() <= MAX_MESSAGE ? trimmed : trimmed.substring(0, MAX_MESSAGE) + "...";
  }
}
