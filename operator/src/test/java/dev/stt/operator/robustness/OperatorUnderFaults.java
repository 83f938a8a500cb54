package dev.stt.operator.robustness;

import dev.stt.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The operator running against a mock API server whose requests the test can intercept. Subclasses are annotated
 * {@code @EnableKubernetesMockClient(crud = true)}, which fills {@link #client} and {@link #server}.
 */
abstract class OperatorUnderFaults {
  KubernetesClient client;
  KubernetesMockServer server;
  OperatorHarness harness;
  MockApi api;

  @BeforeEach
  void startOperator() {
    api = new MockApi(server);
    harness = new OperatorHarness(client).start();
  }

  @AfterEach
  void stopOperator() {
    harness.close();
  }
}
