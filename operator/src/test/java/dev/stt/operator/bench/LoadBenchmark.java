package dev.stt.operator.bench;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.v1alpha1.SentenceTransformerTrainingStatus;
import dev.stt.operator.Trainings;
import dev.stt.operator.reconciler.OperatorHarness;
import dev.stt.operator.render.Labels;
import dev.stt.operator.render.TrainingRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The operator under load against an in-process API server (the fabric8 CRUD mock), on this machine. The operator
 * runs as its own process (the production entry point, {@code Main run}) so that its resident memory is its own.
 * Completion is observed through informers, never by listing in a loop.
 *
 * <p>Run: {@code operator/bench/load-benchmark.sh [resources]}; results go to stdout. See docs/benchmarks.md.
 */
public final class LoadBenchmark {
  private static final String NS = OperatorHarness.NAMESPACE;
  /** One resource in ten is a 2x8 run (a Service and two workers), the rest one worker. */
  private static final int MULTI_NODE_EVERY = 10;

  private LoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int resources = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int latencySamples = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    KubernetesClient client = server.createClient();
    OperatorHarness.installCrd(client);
    new OperatorHarness(client); // creates the claims the resources mount
    Map<String, String> results = new java.util.LinkedHashMap<>();

    long floorNanos = floor(client, resources);
    results.put("floor: raw client, " + resources + " runs sequentially", seconds(floorNanos));

    int port = freePort();
    Process operator = startOperator(server, port);
    try {
      String firstName = "first";
      long startedAt = System.nanoTime();
      client.resources(SentenceTransformerTraining.class).inNamespace(NS).resource(training(firstName, false))
          .create();
      awaitStatus(client, Set.of(firstName), Duration.ofSeconds(60));
      results.put("operator start to first reconcile (new JVM)", seconds(System.nanoTime() - startedAt));

      List<Long> latencies = latency(client, latencySamples);
      results.put("apply-to-pods latency p50 (" + latencySamples + " applies, idle operator)",
          millis(percentile(latencies, 50)));
      results.put("apply-to-pods latency p99", millis(percentile(latencies, 99)));

      long loadNanos = load(client, resources);
      results.put("operator: " + resources + " runs applied at once, all pods and statuses", seconds(loadNanos));
      results.put("ratio to the floor (goal <= 1.25)", String.format(Locale.ROOT, "%.2f",
          (double) loadNanos / floorNanos));

      System.gc();
      Thread.sleep(2000);
      results.put("operator resident memory with " + (resources + latencySamples + 1) + " runs cached",
          rssMiB(operator) + " MiB");
      results.put("operator reconcile errors", metric(port, "stt_reconcile_errors_total"));
      results.put("lost status updates", String.valueOf(lostStatuses(client)));
    } finally {
      operator.destroy();
      operator.waitFor(10, TimeUnit.SECONDS);
      client.close();
      server.destroy();
    }
    System.out.printf("%nmachine: %d cores, %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    results.forEach((k, v) -> System.out.printf("| %s | %s |%n", k, v));
  }

  static SentenceTransformerTraining training(String name, boolean multiNode) {
    return Trainings.training(name, multiNode ? "resources: {cards: 8, workers: 2}" : "");
  }

  private static boolean multiNode(int i) {
    return i % MULTI_NODE_EVERY == 0;
  }

  /** One API round trip per object: the resource, its ConfigMap, Service and pods, then its status. */
  private static long floor(KubernetesClient client, int resources) {
    long start = System.nanoTime();
    for (int i = 0; i < resources; i++) {
      var created = client.resources(SentenceTransformerTraining.class).inNamespace(NS)
          .resource(training("floor-" + i, multiNode(i))).create();
      for (HasMetadata object : TrainingRenderer.render(created, Trainings.plan(created), "trainer:1")) {
        client.resource(object).create();
      }
      created.setStatus(new SentenceTransformerTrainingStatus());
      created.getStatus().phase = dev.stt.api.v1alpha1.Phase.Pending;
      client.resources(SentenceTransformerTraining.class).inNamespace(NS).resource(created).updateStatus();
    }
    long elapsed = System.nanoTime() - start;
    // Leave the API as the operator will find it: without the floor's objects.
    for (int i = 0; i < resources; i++) {
      client.resources(SentenceTransformerTraining.class).inNamespace(NS).withName("floor-" + i).delete();
      client.configMaps().inNamespace(NS).withName("floor-" + i + "-config").delete();
      client.services().inNamespace(NS).withName("floor-" + i + "-workers").delete();
      client.pods().inNamespace(NS).withLabel(Labels.TRAINING, "floor-" + i).delete();
    }
    return elapsed;
  }

  private static Process startOperator(KubernetesMockServer server, int port) throws IOException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The chart's JVM options; -Xmx is what MaxRAMPercentage=50 gives under the chart's 512Mi memory limit.
    List<String> command = List.of(javaBin, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dkubernetes.master=" + server.url("/"), "-Dkubernetes.auth.tryKubeConfig=false",
        "-Dkubernetes.auth.tryServiceAccount=false", "-Dkubernetes.namespace=" + NS,
        "-cp", System.getProperty("java.class.path"), "dev.stt.operator.cli.Main", "run",
        "--http-port", String.valueOf(port), "--log-level", "WARN", "--progress-interval", "3600");
    return new ProcessBuilder(command).inheritIO().start();
  }

  private static List<Long> latency(KubernetesClient client, int samples) throws InterruptedException {
    List<Long> latencies = new ArrayList<>();
    Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    try (var informer = client.pods().inNamespace(NS).withLabel(Labels.MANAGED_BY).inform(
        onAdd(pod -> {
          CountDownLatch latch = waiting.get(pod.getMetadata().getLabels().get(Labels.TRAINING));
          if (latch != null) {
            latch.countDown();
          }
        }))) {
      for (int i = 0; i < samples; i++) {
        String name = "latency-" + i;
        CountDownLatch latch = new CountDownLatch(1);
        waiting.put(name, latch);
        long start = System.nanoTime();
        client.resources(SentenceTransformerTraining.class).inNamespace(NS).resource(training(name, false)).create();
        if (!latch.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no pod for " + name + " within 30 s");
        }
        latencies.add(System.nanoTime() - start);
      }
    }
    return latencies;
  }

  private static long load(KubernetesClient client, int resources) throws InterruptedException {
    Set<String> names = ConcurrentHashMap.newKeySet();
    Map<String, Integer> expectedPods = new ConcurrentHashMap<>();
    for (int i = 0; i < resources; i++) {
      names.add("load-" + i);
      expectedPods.put("load-" + i, multiNode(i) ? 2 : 1);
    }
    Map<String, Integer> pods = new ConcurrentHashMap<>();
    Set<String> withStatus = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(1);
    Runnable check = () -> {
      if (withStatus.size() == resources && pods.entrySet().stream()
          .filter(e -> names.contains(e.getKey())).allMatch(e -> e.getValue() >= expectedPods.get(e.getKey()))
          && pods.keySet().containsAll(names)) {
        done.countDown();
      }
    };
    long start = System.nanoTime();
    try (var podInformer = client.pods().inNamespace(NS).withLabel(Labels.MANAGED_BY).inform(onAdd(pod -> {
          pods.merge(pod.getMetadata().getLabels().get(Labels.TRAINING), 1, Integer::sum);
          check.run();
        }));
        var statusInformer = client.resources(SentenceTransformerTraining.class).inNamespace(NS).inform(
            onAddOrUpdate(t -> {
              if (names.contains(t.getMetadata().getName()) && t.getStatus() != null
                  && t.getStatus().observedGeneration != null) {
                withStatus.add(t.getMetadata().getName());
                check.run();
              }
            }))) {
      for (int i = 0; i < resources; i++) {
        client.resources(SentenceTransformerTraining.class).inNamespace(NS)
            .resource(training("load-" + i, multiNode(i))).create();
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("load did not complete: " + withStatus.size() + " statuses");
      }
      return System.nanoTime() - start;
    }
  }

  private static void awaitStatus(KubernetesClient client, Set<String> names, Duration timeout)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(names.size());
    Set<String> seen = ConcurrentHashMap.newKeySet();
    try (var informer = client.resources(SentenceTransformerTraining.class).inNamespace(NS).inform(
        onAddOrUpdate(t -> {
          if (names.contains(t.getMetadata().getName()) && t.getStatus() != null && seen.add(t.getMetadata()
              .getName())) {
            done.countDown();
          }
        }))) {
      if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("no status within " + timeout);
      }
    }
  }

  /** Resources whose status is missing or describes an older generation, or whose pods are duplicated. */
  private static long lostStatuses(KubernetesClient client) {
    return client.resources(SentenceTransformerTraining.class).inNamespace(NS).list().getItems().stream()
        .filter(t -> t.getStatus() == null || t.getStatus().phase == null
            || !t.getMetadata().getGeneration().equals(t.getStatus().observedGeneration))
        .count();
  }

  private static String metric(int port, String name) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith(name)).findFirst().map(l -> l.substring(name.length()).trim())
        .orElse("absent");
  }

  private static long rssMiB(Process process) throws IOException {
    return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
        .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
        .findFirst().orElse(-1L);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static long percentile(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static <T> ResourceEventHandler<T> onAdd(java.util.function.Consumer<T> action) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        action.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {}

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }

  private static <T> ResourceEventHandler<T> onAddOrUpdate(java.util.function.Consumer<T> action) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        action.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        action.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }
}
